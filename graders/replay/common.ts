/** Small pieces every replay shares. */
import { parseSize, type SizeLike } from "../../core/machine/units";

/** The evaluated plugins of a job: the submission, and those the challenge names in `with`. */
export interface JobPlugins {
  readonly main: unknown;
  readonly with?: Readonly<Record<string, unknown>>;
  /** Runs `fn` with the plugins' console output not kept: for the grader's own extra calls (the heap-resident replica). */
  readonly quiet?: <T>(fn: () => T) => T;
  /** Called as each op starts, with its index in the workload (a run being located after a timeout reports it). */
  readonly progress?: (op: number) => void;
}

/** Default heap limit when a challenge sets none. */
export const DEFAULT_HEAP_BYTES = 64 * 1024 * 1024;

/** The heap limit of a challenge in bytes. */
export function heapLimitOf(value: SizeLike | undefined, dflt = DEFAULT_HEAP_BYTES): number {
  return value === undefined ? dflt : parseSize(value, "limits.heapBytes");
}
