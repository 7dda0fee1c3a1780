/**
 * Sampled series for the HTML report's pictures (see ChallengeResult.series):
 * evenly spaced samples of live and heap bytes and cumulative TLB figures,
 * and a few snapshots of the heap's layout.
 */
import { C_ACCESSES, C_WALKS } from "../../core/machine/constants";
import type { Region } from "../../core/machine/types";
import type { LiveBlock } from "./live-blocks";

const MAX_SAMPLES = 400;
const MAX_SNAPSHOTS = 48;
/** Most blocks drawn per snapshot (the largest are kept, so the picture stays readable and small). */
const MAX_BLOCKS_PER_SNAPSHOT = 600;

/** Records series over a run of `ops` ops. */
export class SeriesRecorder {
  private readonly every: number;
  private readonly snapshotEvery: number;
  private readonly out: Record<string, number[]> = {
    op: [], liveBytes: [], heapBytes: [], walks: [], accesses: [],
    "heap.op": [], "heap.start": [], "heap.end": [], "heap.blocks": [],
  };

  constructor(ops: number) {
    this.every = Math.max(1, Math.ceil(ops / MAX_SAMPLES));
    this.snapshotEvery = Math.max(1, Math.ceil(ops / MAX_SNAPSHOTS));
  }

  /** Folds the state after op `index`; `last` forces a sample at the end. `counters` gives the machine's counters, settled. */
  observe(
    index: number,
    liveBytes: number,
    heapBytes: number,
    counters: () => Float64Array,
    layout: () => { start: number; end: number; blocks: readonly LiveBlock[]; regions: readonly Region[] },
    last = false,
  ): void {
    if (index % this.every === 0 || last) {
      this.out.op.push(index);
      this.out.liveBytes.push(liveBytes);
      this.out.heapBytes.push(heapBytes);
      const c = counters();
      this.out.walks.push(c[C_WALKS]);
      this.out.accesses.push(c[C_ACCESSES]);
    }
    if (index % this.snapshotEvery === 0 || last) {
      const { start, end, blocks, regions } = layout();
      const snap = this.out["heap.op"].length;
      this.out["heap.op"].push(index);
      this.out["heap.start"].push(start);
      this.out["heap.end"].push(end);
      const kept = blocks.length > MAX_BLOCKS_PER_SNAPSHOT ? [...blocks].sort((a, b) => b.size - a.size).slice(0, MAX_BLOCKS_PER_SNAPSHOT) : blocks;
      for (const b of kept) this.out["heap.blocks"].push(snap, b.ptr, b.ptr + b.size, 0);
      for (const r of regions) {
        if (r.kind === "guard" || r.protection === "none") this.out["heap.blocks"].push(snap, r.start, r.end, 1);
        else if (r.kind === "mmap") this.out["heap.blocks"].push(snap, r.start, r.end, 2);
      }
    }
  }

  /** The series recorded. */
  result(): Record<string, number[]> {
    return this.out;
  }
}
