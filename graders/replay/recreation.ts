/**
 * Where the heap-resident-metadata check re-creates the allocator. Points are
 * chosen before the run from the workload alone (never from the plugin's
 * behaviour): op indices where, just before the op, at least one block is
 * live and at least one block has been freed — so a hidden free list or a
 * hidden size table would have something to lose. Up to `count` points are
 * drawn with the run's seeded generator, spread over the run, and sorted.
 */
import { createRng } from "../../core/random";
import type { HeapOp } from "./ops";

/** The op indices before which the replica re-creates its allocator. */
export function recreationPoints(ops: readonly HeapOp[], seed: number, count = 3): number[] {
  const live = new Set<number>();
  let frees = 0;
  const eligible: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (live.size > 0 && frees > 0 && (op.op === "alloc" || op.op === "free" || op.op === "realloc")) eligible.push(i);
    if (op.op === "alloc") live.add(op.id);
    else if (op.op === "free") {
      if (live.delete(op.id)) frees++;
    } else if (op.op === "realloc") live.add(op.id);
  }
  if (eligible.length === 0) return [];
  const rng = createRng(seed ^ 0x5eed);
  // One point in each of `count` equal slices of the eligible indices: spread, seeded.
  const n = Math.min(count, eligible.length);
  const points = new Set<number>();
  for (let k = 0; k < n; k++) {
    const lo = Math.floor((k * eligible.length) / n);
    const hi = Math.floor(((k + 1) * eligible.length) / n);
    points.add(eligible[lo + rng.int(Math.max(1, hi - lo))]);
  }
  return [...points].sort((a, b) => a - b);
}
