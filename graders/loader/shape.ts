/**
 * The plugin contract's shape (DESIGN.md §4): which hooks each kind has, how
 * the kind is told from a plain object, and the check of a default export.
 * This module evaluates nothing itself: the sandbox child runs it on a host
 * view of the plugin, so any plugin code it triggers runs in the realm.
 */
import type { PluginKind } from "../../core/sdk/types";

/** The hooks of an instance (what `create()` returns), per kind. */
export const KIND_HOOKS: Readonly<Record<PluginKind, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  allocator: { required: ["malloc", "free"], optional: ["init", "realloc"] },
  sanitizer: { required: ["malloc", "free"], optional: ["init", "realloc", "onFault", "onExit", "checkAccess"] },
  placement: { required: ["choose"], optional: ["compact"] },
  "frame-allocator": { required: ["alloc", "free"], optional: [] },
};

/** All kinds, for messages and validation. */
export const PLUGIN_KINDS = Object.keys(KIND_HOOKS) as PluginKind[];

/** A shape that passed: the name and kind to record. `instanceChecked` is false when create() could not be probed. */
export interface ShapeOk {
  readonly ok: true;
  readonly name: string;
  readonly kind: PluginKind;
  readonly instanceChecked: boolean;
}

/** A shape that failed, with one message per problem (`file: ...`). */
export interface ShapeProblems {
  readonly ok: false;
  readonly problems: readonly string[];
}

function isFn(o: Record<string, unknown>, key: string): boolean {
  return typeof o[key] === "function";
}

/**
 * The kind an instance's shape says: choose -> placement; alloc + free ->
 * frame-allocator; malloc + free with onExit/onFault/checkAccess (or a
 * two-argument create) -> sanitizer; malloc + free -> allocator.
 */
export function inferKind(instance: Record<string, unknown>, createArity: number): PluginKind | undefined {
  if (isFn(instance, "choose")) return "placement";
  if (isFn(instance, "malloc") && isFn(instance, "free")) {
    const sanitizerHooks = isFn(instance, "onExit") || isFn(instance, "onFault") || isFn(instance, "checkAccess");
    return sanitizerHooks || createArity >= 2 ? "sanitizer" : "allocator";
  }
  if (isFn(instance, "alloc") && isFn(instance, "free")) return "frame-allocator";
  return undefined;
}

/** Problems with an instance of a known kind: missing required hooks, optional hooks that are not functions. */
export function instanceProblems(instance: unknown, kind: PluginKind, file: string): string[] {
  if (instance === null || typeof instance !== "object") {
    return [`${file}: default export's create() returned ${instance === null ? "null" : typeof instance}, expected an object with ${KIND_HOOKS[kind].required.join(" and ")} (kind "${kind}")`];
  }
  const o = instance as Record<string, unknown>;
  const problems: string[] = [];
  for (const hook of KIND_HOOKS[kind].required) {
    if (!isFn(o, hook)) problems.push(`${file}: default export has no function "${hook}" (kind "${kind}"): create() returned an object without it`);
  }
  for (const hook of KIND_HOOKS[kind].optional) {
    if (o[hook] !== undefined && !isFn(o, hook)) problems.push(`${file}: "${hook}" is ${typeof o[hook]}, expected a function (kind "${kind}")`);
  }
  return problems;
}

/**
 * Checks a default export. `probe(create)` calls the plugin's create with a
 * probe heap and returns the instance, or throws (then an explicit kind is
 * trusted and the instance is checked at run time).
 */
export function checkPluginShape(def: unknown, file: string, fallbackName: string, probe: (create: (...a: unknown[]) => unknown) => unknown): ShapeOk | ShapeProblems {
  if (def === undefined || def === null) {
    return { ok: false, problems: [`${file}: no default export (write \`export default defineAllocator({ name, create })\` or another define* helper)`] };
  }
  if (typeof def !== "object") {
    return { ok: false, problems: [`${file}: default export is a ${typeof def}, expected an object made by defineAllocator, defineSanitizer, definePlacement or defineFrameAllocator`] };
  }
  const d = def as Record<string, unknown>;
  const problems: string[] = [];
  if (d.name !== undefined && (typeof d.name !== "string" || d.name.trim() === "")) problems.push(`${file}: "name" must be a non-empty string`);
  const name = typeof d.name === "string" && d.name.trim() !== "" ? d.name : fallbackName;
  let kind: PluginKind | undefined;
  if (d.kind !== undefined) {
    if (typeof d.kind === "string" && (PLUGIN_KINDS as string[]).includes(d.kind)) kind = d.kind as PluginKind;
    else problems.push(`${file}: unknown kind ${JSON.stringify(d.kind)} (expected ${PLUGIN_KINDS.join(" | ")})`);
  }
  if (!isFn(d, "create")) {
    problems.push(`${file}: default export has no function "create" (kind "${kind ?? "unknown"}")`);
    return { ok: false, problems };
  }
  if (problems.length > 0) return { ok: false, problems };
  const create = d.create as (...a: unknown[]) => unknown;
  let instance: unknown;
  try {
    instance = probe(create);
  } catch (e) {
    if (kind !== undefined) return { ok: true, name, kind, instanceChecked: false };
    throw e;
  }
  if (kind === undefined) {
    kind = instance !== null && typeof instance === "object" ? inferKind(instance as Record<string, unknown>, create.length) : undefined;
    if (kind === undefined) {
      return {
        ok: false,
        problems: [`${file}: cannot tell the plugin's kind: create() returned an object with neither malloc + free, choose, nor alloc + free (use defineAllocator, defineSanitizer, definePlacement or defineFrameAllocator)`],
      };
    }
  }
  const bad = instanceProblems(instance, kind, file);
  return bad.length > 0 ? { ok: false, problems: bad } : { ok: true, name, kind, instanceChecked: true };
}

/**
 * A stand-in for every `create` argument at once: a small working heap (plain
 * JS, a 1 MiB byte array), the frames facts, and for sanitizers an inner
 * allocator. Good enough for constructors that read the heap; never graded.
 */
export function makeProbe(): { heap: Record<string, unknown>; inner: Record<string, unknown> } {
  const bytes = new Uint8Array(1 << 20);
  const view = new DataView(bytes.buffer);
  const heapStart = 4096;
  let brk = heapStart;
  const at = (addr: number, n: number): number => {
    const off = addr - heapStart;
    if (!Number.isInteger(off) || off < 0 || off + n > bytes.length) throw new RangeError(`probe heap: bad address ${addr}`);
    return off;
  };
  let next = heapStart;
  const heap = {
    get heapStart() {
      return heapStart;
    },
    get heapEnd() {
      return brk;
    },
    alignment: 16,
    pageSize: 4096,
    hugePageSizes: [2 << 20],
    registers: new Float64Array(16),
    count: 1024,
    frameSize: 4096,
    maxOrder: 9,
    sbrk(increment: number) {
      if (brk + increment > heapStart + bytes.length) return -1;
      const old = brk;
      brk += increment;
      return old;
    },
    mmap: () => -1,
    munmap: () => -1,
    mprotect: () => -1,
    load8: (a: number) => bytes[at(a, 1)],
    load16: (a: number) => view.getUint16(at(a, 2), true),
    load32: (a: number) => view.getUint32(at(a, 4), true),
    load64: (a: number) => Number(view.getBigUint64(at(a, 8), true)),
    store8: (a: number, v: number) => void (bytes[at(a, 1)] = v),
    store16: (a: number, v: number) => view.setUint16(at(a, 2), v, true),
    store32: (a: number, v: number) => view.setUint32(at(a, 4), v >>> 0, true),
    store64: (a: number, v: number) => view.setBigInt64(at(a, 8), BigInt(v), true),
    copy: (dst: number, src: number, n: number) => bytes.copyWithin(at(dst, n), at(src, n), at(src, n) + n),
    fill: (a: number, b: number, n: number) => void bytes.fill(b, at(a, n), at(a, n) + n),
  };
  const inner = {
    malloc: (size: number) => {
      const p = next;
      next += Math.ceil(Math.max(size, 1) / 16) * 16;
      return p;
    },
    free: () => undefined,
    realloc: (_ptr: number, size: number) => inner.malloc(size),
  };
  return { heap, inner };
}
