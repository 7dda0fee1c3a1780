/**
 * What the child runs when graders/replay/run-job.ts did not exist at build
 * time: every run is an internal error (never the student's fault).
 */
import type { RunJob, RunResult } from "../protocol";

/** Reports that this build of the sandbox child has no replay. */
export function runJob(_job: RunJob, _plugin: unknown): RunResult {
  return {
    verdict: "internal-error",
    metrics: {},
    failures: [{ check: "INTERNAL", message: "this build of the sandbox child has no replay (graders/replay/run-job.ts was missing at build time); run `npm run build`" }],
    opsReplayed: 0,
  };
}
