/**
 * The results document (DESIGN.md §6): the CI contract. Everything here is
 * readonly data; grading folds RunResults into ChallengeResults with pure
 * functions, and reporters and the leaderboard only read them.
 */
import type { PluginKind } from "../core/sdk/types";

/** Bumped only on a breaking change of the document's shape. */
export const RESULTS_SCHEMA_VERSION = 1;

/**
 * pass | fail (a check caught a wrong answer) | error (the plugin failed at
 * run time: threw, faulted, returned garbage) | timeout | memory-limit |
 * internal-error (memarena itself failed: never the student's fault, scored
 * out of nothing and reported for the maintainers).
 */
export type Verdict = "pass" | "fail" | "error" | "timeout" | "memory-limit" | "internal-error";

/** Why a challenge did not pass. */
export interface Failure {
  /** Index of the op in the workload, when the failure belongs to one. */
  readonly op?: number;
  /** The check name (alignment, overlap, ...), or the error code for errors (PLUGIN_THREW, PAGE_FAULT, ...). */
  readonly check: string;
  /** Full message: the op, the blocks with address ranges, what was expected. */
  readonly message: string;
  /** Structured details (addresses, sizes, the op as text). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One challenge graded. */
export interface ChallengeResult {
  readonly id: string;
  readonly title?: string;
  readonly topic?: string;
  readonly visibility?: "public" | "hidden";
  readonly verdict: Verdict;
  readonly score: number;
  readonly maxScore: number;
  /** Metric values by name (numbers only; omitted for hidden challenges in student output). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly failures: readonly Failure[];
  /** Wall-clock time of the run; the only field that may differ between identical runs. */
  readonly wallMs: number;
  /**
   * What the submission printed with console.* during this run, line by line:
   * at most 200 lines, each cut at 500 characters, a last line telling how
   * many more were not kept. For a run stopped at its time or memory limit,
   * the last 50 lines it printed. Absent when it printed nothing, and for
   * hidden challenges in student output.
   */
  readonly output?: readonly string[];
  /**
   * Sampled series for pictures, present with --details (allocator and
   * sanitizer challenges). All arrays of one sample family have the same length:
   * - `op`, `liveBytes`, `heapBytes`, `walks` (cumulative page walks), `accesses` (cumulative):
   *   one entry per sample, up to ~400 samples evenly spaced over the run;
   * - `heap.op` (op index of each heap snapshot, up to 48), `heap.start`, `heap.end` (the heap
   *   extent's addresses at that snapshot) and `heap.blocks`: flattened quadruples
   *   [snapshot index, start address, end address, kind] with kind 0 = live payload,
   *   1 = guard (no-access) region, 2 = mmapped region. Bytes of the extent not covered
   *   by a live payload are free space or allocator metadata (the grader cannot tell
   *   them apart from outside).
   */
  readonly series?: Readonly<Record<string, readonly number[]>>;
}

/** The submission graded. */
export interface SubmissionInfo {
  readonly name: string;
  readonly kind: PluginKind;
  readonly file: string;
  readonly sha256: string;
}

/** The whole results document. */
export interface ResultsDocument {
  readonly schemaVersion: number;
  readonly grader: { readonly version: string };
  readonly submission: SubmissionInfo;
  /** Hash of the challenge files graded (ids and contents), so a rank can be reproduced. */
  readonly challengePack?: { readonly sha256: string; readonly count: number };
  readonly challenges: readonly ChallengeResult[];
  readonly total: { readonly score: number; readonly maxScore: number };
}
