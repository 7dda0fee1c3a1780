/**
 * What crosses the sandbox boundary: a RunJob goes in (data only: the
 * challenge, the bundled plugin code), a RunResult comes out (data only).
 */
import type { PluginKind } from "../core/sdk/types";
import type { Failure, Verdict } from "./results";

/** A plugin ready to run: bundled CommonJS code plus what identifies it. */
export interface BundledPlugin {
  /** The plugin's name (from its default export, or the file name). */
  readonly name: string;
  readonly kind: PluginKind;
  /** The file or `builtin:<name>` it came from, as the user named it. */
  readonly file: string;
  /** sha256 of the source files that went into the bundle. */
  readonly sha256: string;
  /** CommonJS code whose `module.exports.default` (or module.exports) is the plugin; `require("memarena")` is the only import left. */
  readonly code: string;
}

/** One (submission, challenge) run. */
export interface RunJob {
  /** The validated challenge, with trace files already read into `traceText` (the sandbox cannot read files). */
  readonly challenge: import("./challenge/types").Challenge;
  /** Text of the trace file the workload names, when it names one. */
  readonly traceText?: string;
  /** The trace file's name (decides the format: .rep, .json, or the compact text form). */
  readonly traceName?: string;
  /** The submission. */
  readonly plugin: BundledPlugin;
  /** Other plugins the challenge names in `with` (e.g. the allocator a sanitizer wraps), by role. */
  readonly with?: Readonly<Record<string, BundledPlugin>>;
  /** Record per-op series for pictures. */
  readonly details?: boolean;
  /** Record one event per op (for `memarena run --events`). */
  readonly events?: boolean;
  /** Report each op as it starts (the sandbox re-runs a job that timed out this way, to say where it was). */
  readonly progress?: boolean;
}

/** What a run produced, before scoring. */
export interface RunResult {
  /** pass when no check failed; scoring may still give less than full marks. */
  readonly verdict: Verdict;
  readonly metrics: Readonly<Record<string, number>>;
  readonly failures: readonly Failure[];
  readonly series?: Readonly<Record<string, readonly number[]>>;
  readonly events?: readonly Readonly<Record<string, unknown>>[];
  /** Ops replayed before the run ended. */
  readonly opsReplayed: number;
  /** What the plugin printed with console.* (capped; see graders/sandbox/realm.ts), when anything. */
  readonly output?: readonly string[];
}
