/**
 * From a validated challenge to the op stream a replay runs: inline ops,
 * a trace (passed in as text: the sandbox cannot read files) or a generator.
 */
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { Challenge, Op } from "../challenge/types";
import { generateWorkload } from "./generate";
import { parseTrace, resolveOps } from "./trace";

/** The seed a challenge's generator uses: workload.seed, else the challenge seed, else its id. */
export function workloadSeed(challenge: Challenge): number | string {
  return challenge.workload.seed ?? challenge.seed ?? challenge.id;
}

/**
 * The ops of a challenge's workload. For a `trace` workload, `traceText` is
 * the file's text and `traceName` its name (decides the format; default: the
 * workload's `trace` path). Throws INVALID_TRACE for a bad trace, or when a
 * trace workload is resolved without its text.
 */
export function resolveWorkload(challenge: Challenge, traceText?: string, traceName?: string): Op[] {
  const w = challenge.workload;
  if (w.ops !== undefined) return resolveOps(w.ops);
  if (w.generate !== undefined) return generateWorkload(w.generate, workloadSeed(challenge));
  const name = traceName ?? w.trace;
  if (traceText === undefined) {
    throw new MemarenaError(ErrorCode.INVALID_TRACE, `${name}: the trace text was not provided (challenge ${challenge.id})`, {
      problems: [{ file: name, pointer: "", expected: "the text of the trace file", found: "nothing" }],
    });
  }
  return parseTrace(traceText, name);
}
