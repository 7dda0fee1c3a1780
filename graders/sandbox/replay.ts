/**
 * The replay the sandbox child runs. `memarena-replay` is resolved when the
 * child is bundled (scripts/build.js): to graders/replay/run-job.ts, or, in
 * a test build, to a stand-in. Nothing here runs in the grader process.
 */
import type { RunJob, RunResult } from "../protocol";

/** The evaluated plugins of a job (host views: their hooks are guarded), as graders/replay/common.ts names them. */
export interface JobPlugins {
  readonly main: unknown;
  readonly with?: Readonly<Record<string, unknown>>;
}

/** Replays a job against its plugins and returns the result; throws only for memarena's own faults. */
export type ReplayFn = (job: RunJob, plugins: JobPlugins) => RunResult;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runJob: ReplayFn = (require("memarena-replay") as { runJob: ReplayFn }).runJob;
