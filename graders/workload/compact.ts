/**
 * The compact text trace form: one op per line, `#` starts a comment.
 *
 * Grammar (fields separated by blanks; <n> is a decimal or 0x-hex integer,
 * <size> also takes units as in challenge files: 4KiB, 2MiB; <off> may be
 * negative; options are `key=value` words after the positional fields, in any
 * order):
 *
 *   a|alloc      <id> <size> [align=<n>] [scoped[=true|false]]
 *   f|free       <id>
 *   r|realloc    <id> <size>
 *   rd|read      <id> <off> <length>
 *   w|write      <id> <off> <length>
 *   spawn        <pid> <size> [base=<addr>]
 *   exit         <pid>
 *   switch       <pid>
 *   access       <pid> <addr> r|w|x [user|supervisor]   (read|write|exec also accepted)
 *   map          <pid> <vaddr> <flags> [frame=<n>] [page=<size>]
 *   privileged   <pid> set-root|write-pte|flush-tlb|set-base-limit
 *   pin|unpin    <pid>
 *   compact
 *   dma          <device> id=<n>|pid=<n> <off> <length> to-device|from-device
 *   scope        enter|exit|throw
 *   any op:      expect=overflow|underflow|use-after-free|double-free|invalid-free|leak
 *
 * Note `r` is realloc (as in malloc-lab .rep files) and `rd` is a read.
 * Every parsed op is checked against the same schema as JSON ops. See
 * docs/traces.md.
 */
import { ErrorCode, type InputProblem, inputError } from "../../core/errors";
import { hex, tryParseSize } from "../../core/machine/units";
import type { Op } from "../challenge/types";
import type * as Validate from "../challenge/validate";

let validate: typeof Validate.validateOpValue | undefined;

/** The op validator (ajv), loaded on first use: see trace.ts. */
function validateOpValue(value: unknown, ctx: Parameters<typeof Validate.validateOpValue>[1]): ReturnType<typeof Validate.validateOpValue> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validate ??= (require("../challenge/validate") as typeof Validate).validateOpValue;
  return validate(value, ctx);
}

/** Most problems listed in one error (the rest are counted). */
export const MAX_TRACE_PROBLEMS = 100;

const ACCESS_LETTERS: Readonly<Record<string, "read" | "write" | "exec">> = { r: "read", w: "write", x: "exec", read: "read", write: "write", exec: "exec" };
const ACCESS_LETTER_OF = { read: "r", write: "w", exec: "x" } as const;
const ALIASES: Readonly<Record<string, Op["op"]>> = {
  a: "alloc", alloc: "alloc", f: "free", free: "free", r: "realloc", realloc: "realloc",
  rd: "read", read: "read", w: "write", write: "write",
  spawn: "spawn", exit: "exit", switch: "switch", access: "access", map: "map", privileged: "privileged",
  pin: "pin", unpin: "unpin", compact: "compact", dma: "dma", scope: "scope",
};

/** A field that could not be read, with what it should have been. */
class FieldError extends Error {}

function intOf(tok: string | undefined, what: string): number {
  if (tok === undefined) throw new FieldError(`missing ${what}`);
  if (/^-?\d+$/.test(tok)) return Number(tok);
  if (/^0x[0-9a-fA-F]+$/.test(tok)) return parseInt(tok, 16);
  throw new FieldError(`${what} must be an integer, found ${JSON.stringify(tok)}`);
}

function sizeOf(tok: string | undefined, what: string): number {
  if (tok === undefined) throw new FieldError(`missing ${what}`);
  const n = tryParseSize(tok);
  if (n === undefined) throw new FieldError(`${what} must be a size (bytes, 4KiB, 0x1000), found ${JSON.stringify(tok)}`);
  return n;
}

function boolOf(v: string | undefined): boolean {
  if (v === undefined || v === "true") return true;
  if (v === "false") return false;
  throw new FieldError(`expected true or false, found ${JSON.stringify(v)}`);
}

/** Parses one non-empty, comment-free line into an op object (not yet schema-checked). */
function parseLine(tokens: string[]): Record<string, unknown> {
  const [name, ...rest] = tokens;
  const op = ALIASES[name];
  if (!op) throw new FieldError(`unknown op ${JSON.stringify(name)}; ops: ${Object.keys(ALIASES).join(", ")}`);
  const pos: string[] = [];
  const opts = new Map<string, string | undefined>();
  for (const t of rest) {
    const eq = t.indexOf("=");
    if (eq > 0) opts.set(t.slice(0, eq), t.slice(eq + 1));
    else if (t === "scoped") opts.set("scoped", undefined);
    else pos.push(t);
  }
  const o: Record<string, unknown> = { op };
  const used = new Set<string>();
  const opt = (k: string): string | undefined => {
    used.add(k);
    return opts.get(k);
  };
  const want = (n: number): void => {
    if (pos.length > n) throw new FieldError(`${op} takes ${n} field(s), found ${pos.length}: ${pos.join(" ")}`);
  };
  switch (op) {
    case "alloc":
      want(2);
      o.id = intOf(pos[0], "id");
      o.size = sizeOf(pos[1], "size");
      if (opts.has("align")) o.align = intOf(opt("align"), "align");
      if (opts.has("scoped")) o.scoped = boolOf(opt("scoped"));
      break;
    case "free":
      want(1);
      o.id = intOf(pos[0], "id");
      break;
    case "realloc":
      want(2);
      o.id = intOf(pos[0], "id");
      o.size = sizeOf(pos[1], "size");
      break;
    case "read":
    case "write":
      want(3);
      o.id = intOf(pos[0], "id");
      o.offset = intOf(pos[1], "offset");
      o.length = sizeOf(pos[2], "length");
      break;
    case "spawn":
      want(2);
      o.pid = intOf(pos[0], "pid");
      o.size = sizeOf(pos[1], "size");
      if (opts.has("base")) o.base = sizeOf(opt("base"), "base");
      break;
    case "exit":
    case "switch":
    case "pin":
    case "unpin":
      want(1);
      o.pid = intOf(pos[0], "pid");
      break;
    case "access": {
      want(4);
      o.pid = intOf(pos[0], "pid");
      o.addr = sizeOf(pos[1], "addr");
      const kind = ACCESS_LETTERS[pos[2] ?? ""];
      if (!kind) throw new FieldError(`access kind must be r, w or x, found ${JSON.stringify(pos[2] ?? "nothing")}`);
      o.kind = kind;
      if (pos[3] !== undefined) o.mode = pos[3];
      break;
    }
    case "map":
      want(3);
      o.pid = intOf(pos[0], "pid");
      o.vaddr = sizeOf(pos[1], "vaddr");
      if (pos[2] === undefined) throw new FieldError("missing flags");
      o.flags = pos[2];
      if (opts.has("frame")) o.frame = intOf(opt("frame"), "frame");
      if (opts.has("page")) o.pageSize = sizeOf(opt("page"), "page");
      break;
    case "privileged":
      want(2);
      o.pid = intOf(pos[0], "pid");
      if (pos[1] === undefined) throw new FieldError("missing action");
      o.action = pos[1];
      break;
    case "compact":
      want(0);
      break;
    case "dma":
      want(4);
      if (pos[0] === undefined) throw new FieldError("missing device");
      o.device = pos[0];
      if (opts.has("id")) o.id = intOf(opt("id"), "id");
      if (opts.has("pid")) o.pid = intOf(opt("pid"), "pid");
      o.offset = intOf(pos[1], "offset");
      o.length = sizeOf(pos[2], "length");
      if (pos[3] === undefined) throw new FieldError("missing direction (to-device or from-device)");
      o.dir = pos[3];
      break;
    case "scope":
      want(1);
      if (pos[0] === undefined) throw new FieldError("missing action (enter, exit or throw)");
      o.action = pos[0];
      break;
  }
  if (opts.has("expect")) o.expect = opt("expect");
  const unknown = [...opts.keys()].filter((k) => !used.has(k) && k !== "expect");
  if (unknown.length > 0) throw new FieldError(`unknown option(s) for ${op}: ${unknown.join(", ")}`);
  return o;
}

/** Parses the compact text form; throws INVALID_TRACE listing every bad line (file and line). */
export function parseCompactTrace(text: string, name: string): Op[] {
  const ops: Op[] = [];
  const problems: InputProblem[] = [];
  const lines = text.split(/\r?\n/);
  let index = 0;
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const where = { file: name, pointer: `/${index++}`, line: i + 1, column: raw.search(/\S/) + 1 };
    let o: Record<string, unknown>;
    try {
      o = parseLine(line.split(/\s+/));
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      problems.push({ ...where, expected: e.message, found: JSON.stringify(line) });
      return;
    }
    const bad = validateOpValue(o, { file: name, prefix: where.pointer, locate: () => ({ line: where.line, column: where.column }) });
    if (bad.length > 0) problems.push(...bad.map((p) => ({ ...p, found: `${p.found ?? ""} in ${JSON.stringify(line)}`.trim() })));
    else ops.push(o as unknown as Op);
  });
  if (problems.length > 0) throw traceError(problems);
  return ops;
}

/** INVALID_TRACE for a list of problems, capped at MAX_TRACE_PROBLEMS. */
export function traceError(problems: readonly InputProblem[]) {
  if (problems.length <= MAX_TRACE_PROBLEMS) return inputError(ErrorCode.INVALID_TRACE, problems);
  const kept = problems.slice(0, MAX_TRACE_PROBLEMS);
  const more: InputProblem = { file: problems[0].file, pointer: "", expected: `${problems.length - MAX_TRACE_PROBLEMS} more problem(s) not shown` };
  return inputError(ErrorCode.INVALID_TRACE, [...kept, more]);
}

/** Renders one op as a compact line (the inverse of parsing). */
export function formatCompactOp(op: Op): string {
  const parts: string[] = [];
  switch (op.op) {
    case "alloc":
      parts.push("a", String(op.id), String(op.size));
      if (op.align !== undefined) parts.push(`align=${op.align}`);
      if (op.scoped !== undefined) parts.push(op.scoped ? "scoped" : "scoped=false");
      break;
    case "free":
      parts.push("f", String(op.id));
      break;
    case "realloc":
      parts.push("r", String(op.id), String(op.size));
      break;
    case "read":
    case "write":
      parts.push(op.op === "read" ? "rd" : "w", String(op.id), String(op.offset), String(op.length));
      break;
    case "spawn":
      parts.push("spawn", String(op.pid), String(op.size));
      if (op.base !== undefined) parts.push(`base=${hex(op.base)}`);
      break;
    case "exit":
    case "switch":
    case "pin":
    case "unpin":
      parts.push(op.op, String(op.pid));
      break;
    case "access":
      parts.push("access", String(op.pid), hex(op.addr), ACCESS_LETTER_OF[op.kind]);
      if (op.mode !== undefined) parts.push(op.mode);
      break;
    case "map":
      parts.push("map", String(op.pid), hex(op.vaddr), op.flags);
      if (op.frame !== undefined) parts.push(`frame=${op.frame}`);
      if (op.pageSize !== undefined) parts.push(`page=${op.pageSize}`);
      break;
    case "privileged":
      parts.push("privileged", String(op.pid), op.action);
      break;
    case "compact":
      parts.push("compact");
      break;
    case "dma":
      parts.push("dma", op.device);
      if (op.id !== undefined) parts.push(`id=${op.id}`);
      if (op.pid !== undefined) parts.push(`pid=${op.pid}`);
      parts.push(String(op.offset), String(op.length), op.dir);
      break;
    case "scope":
      parts.push("scope", op.action);
      break;
  }
  if (op.expect !== undefined) parts.push(`expect=${op.expect}`);
  return parts.join(" ");
}

/** Renders ops in the compact text form, one per line, ending with a newline. */
export function formatCompactTrace(ops: readonly Op[]): string {
  return ops.map(formatCompactOp).join("\n") + (ops.length > 0 ? "\n" : "");
}
