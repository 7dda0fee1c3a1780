/**
 * Loading a submission (DESIGN.md §1: `submission.ts --load (esbuild) + shape
 * check--> Plugin`): resolve the spec, bundle it in memory, then learn its
 * name and kind by evaluating it — never in the grader process: in a sandbox
 * child (the one runs use), which reports INVALID_PLUGIN problems back as
 * data. Bundles and shapes are cached by sha256 for the life of the process:
 * a second load re-reads and re-hashes the inputs and nothing else.
 */
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { PluginKind } from "../../core/sdk/types";
import type { BundledPlugin } from "../protocol";
import { inspectIsolated, type InspectLimits, type SandboxOptions } from "../sandbox";
import { bundleResolved, hashInputs, type PluginBundle } from "./bundle";
import { resolveSpec, type ResolvedSpec } from "./resolve";

export { bundleResolved, hashInputs, type PluginBundle } from "./bundle";
export { resolveSpec, builtinNames, BUILTIN_FOLDERS, type ResolvedSpec } from "./resolve";
export { checkPluginShape, inferKind, instanceProblems, KIND_HOOKS, PLUGIN_KINDS } from "./shape";

/** Options of `loadPlugin`. */
export interface LoadOptions {
  /** Folder relative specs are resolved from (default: process.cwd()). */
  readonly cwd?: string;
  /** The kind the caller needs (e.g. the challenge's subject): a plugin of another kind is INVALID_PLUGIN. */
  readonly kind?: PluginKind;
  /** Limits of the shape check in the sandbox (default 5 s, 256 MiB). */
  readonly inspectLimits?: InspectLimits;
  /** Sandbox knobs (tests, benchmarks). */
  readonly sandbox?: SandboxOptions;
}

interface BundleEntry {
  readonly root: string;
  readonly bundle: PluginBundle;
}

/** entry file -> last bundle (re-validated by hashing its inputs). */
const bundles = new Map<string, BundleEntry>();
/** sha256 -> the name and kind the sandbox found. */
const shapes = new Map<string, { name: string; kind: PluginKind }>();

/** Forgets every cached bundle and shape (tests). */
export function clearLoaderCache(): void {
  bundles.clear();
  shapes.clear();
}

/**
 * Resolves and bundles a spec without evaluating it. Cached: when the inputs
 * of the previous bundle of the same entry still hash the same, that bundle
 * is returned without running esbuild.
 */
export function bundlePlugin(spec: string, cwd?: string): { resolved: ResolvedSpec; bundle: PluginBundle } {
  const resolved = resolveSpec(spec, cwd);
  const cached = bundles.get(resolved.entry);
  if (cached !== undefined && cached.root === resolved.root) {
    let sha: string | undefined;
    try {
      sha = hashInputs(resolved.root, cached.bundle.inputs);
    } catch {
      sha = undefined; // an input vanished: bundle again
    }
    if (sha === cached.bundle.sha256) return { resolved, bundle: cached.bundle };
  }
  const bundle = bundleResolved(resolved);
  bundles.set(resolved.entry, { root: resolved.root, bundle });
  return { resolved, bundle };
}

/**
 * Loads a plugin: `spec` is a `.ts`/`.js` file, a folder with a package.json,
 * or `builtin:<name>`. Returns the bundle with its name and kind. Throws a
 * MemarenaError: PLUGIN_NOT_FOUND, PLUGIN_FORBIDDEN_IMPORT, PLUGIN_COMPILE,
 * INVALID_PLUGIN (bad shape, wrong kind, never finished loading),
 * PLUGIN_THREW (its module threw while loading), INTERNAL.
 */
export function loadPlugin(spec: string, opts: LoadOptions = {}): BundledPlugin {
  const { resolved, bundle } = bundlePlugin(spec, opts.cwd);
  let shape = shapes.get(bundle.sha256);
  if (shape === undefined) {
    shape = inspect(resolved, bundle, opts);
    shapes.set(bundle.sha256, shape);
  }
  if (opts.kind !== undefined && shape.kind !== opts.kind) {
    throw new MemarenaError(ErrorCode.INVALID_PLUGIN, `${spec}: is a ${shape.kind} plugin, expected a ${opts.kind}`, { file: spec, kind: shape.kind, expected: opts.kind });
  }
  return { name: shape.name, kind: shape.kind, file: spec, sha256: bundle.sha256, code: bundle.code };
}

function inspect(resolved: ResolvedSpec, bundle: PluginBundle, opts: LoadOptions): { name: string; kind: PluginKind } {
  const file = resolved.spec;
  const outcome = inspectIsolated({ code: bundle.code, file, name: resolved.fallbackName }, opts.inspectLimits, opts.sandbox);
  switch (outcome.type) {
    case "inspected":
      if (outcome.shape.ok) return { name: outcome.shape.name, kind: outcome.shape.kind };
      throw new MemarenaError(ErrorCode.INVALID_PLUGIN, outcome.shape.problems.join("\n"), { file, problems: outcome.shape.problems });
    case "fault":
      throw new MemarenaError(ErrorCode.PLUGIN_THREW, `${file}: ${renderLoadFault(outcome.fault)}`, { file, ...outcome.fault });
    case "timeout":
      throw new MemarenaError(ErrorCode.INVALID_PLUGIN, `${file}: loading the plugin did not finish within ${outcome.timeMs} ms (an endless loop at load time?)`, { file, reason: "timeout" });
    case "memory-limit":
      throw new MemarenaError(ErrorCode.INVALID_PLUGIN, `${file}: loading the plugin exceeded ${outcome.memoryMb} MiB of memory`, { file, reason: "memory-limit" });
    case "internal":
      throw new MemarenaError(ErrorCode.INTERNAL, `${file}: the shape check failed: ${outcome.message}`, { file });
  }
}

function renderLoadFault(f: { plugin: string; hook: string; errorName: string; errorMessage: string; stack: readonly string[] }): string {
  const what = f.errorName === "non-Error" ? `threw a non-Error value: ${f.errorMessage}` : `threw ${f.errorName}: ${f.errorMessage}`;
  const during = f.hook === "load" ? "while loading" : `in ${f.hook}() during the shape check`;
  return `${what} ${during}${f.stack.length > 0 ? `\n    ${f.stack.join("\n    ")}` : ""}`;
}
