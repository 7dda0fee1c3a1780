/**
 * The replay the sandbox child runs. `memarena-replay` is resolved when the
 * child is bundled (scripts/build.js): to graders/replay/run-job.ts, or, in
 * a test build, to a stand-in. Nothing here runs in the grader process.
 */
import { runJob as replayJob } from "memarena-replay";
import type { RunJob, RunResult } from "../protocol";
import type { JobPlugins } from "../replay/common";

export type { JobPlugins };

/** Replays a job against its plugins and returns the result; throws only for memarena's own faults. */
export type ReplayFn = (job: RunJob, plugins: JobPlugins) => RunResult;

// A static import, not a require: the bundler then hoists the machine's modules instead of wrapping
// them for lazy initialization, and inlines their constants into the access path.
export const runJob: ReplayFn = replayJob;
