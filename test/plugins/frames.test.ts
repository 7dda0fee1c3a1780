import fc from "fast-check";
import type { FrameAllocator, FrameAllocatorPlugin } from "memarena";
import { createRng } from "../../core/random";
import framesBuddy from "../../plugins/frames/frames-buddy";
import framesFreeList from "../../plugins/frames/frames-free-list";

const PLUGINS: readonly FrameAllocatorPlugin[] = [framesBuddy, framesFreeList];

/** Allocates greedily from the largest order down; returns the frames obtained. */
function drain(allocator: FrameAllocator, maxOrder: number): number {
  let total = 0;
  for (let order = maxOrder; order >= 0; order--) {
    while (allocator.alloc(order) >= 0) total += 2 ** order;
  }
  return total;
}

describe.each(PLUGINS.map((p) => [p.name, p] as const))("%s", (_name, plugin) => {
  it("hands out aligned, in-range, disjoint runs; freeing everything restores full capacity", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 0, max: 9 }),
        fc.array(fc.record({ alloc: fc.boolean(), order: fc.integer({ min: 0, max: 9 }), pick: fc.nat() }), { maxLength: 300 }),
        (count, maxOrder, ops) => {
          const allocator = plugin.create({ count, frameSize: 4096, maxOrder });
          const owner = new Int32Array(count).fill(-1);
          const live: { frame: number; order: number }[] = [];
          ops.forEach((op, id) => {
            if (op.alloc || live.length === 0) {
              const order = Math.min(op.order, maxOrder);
              const frame = allocator.alloc(order);
              if (frame < 0) return;
              expect(Number.isInteger(frame)).toBe(true);
              expect(frame % 2 ** order).toBe(0);
              expect(frame + 2 ** order).toBeLessThanOrEqual(count);
              for (let f = frame; f < frame + 2 ** order; f++) {
                expect(owner[f]).toBe(-1);
                owner[f] = id;
              }
              live.push({ frame, order });
            } else {
              const [block] = live.splice(op.pick % live.length, 1);
              allocator.free(block.frame, block.order);
              owner.fill(-1, block.frame, block.frame + 2 ** block.order);
            }
          });
          for (const block of live) allocator.free(block.frame, block.order);
          expect(drain(allocator, maxOrder)).toBe(count);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("returns -1 when memory is exhausted and for orders above maxOrder", () => {
    const allocator = plugin.create({ count: 16, frameSize: 4096, maxOrder: 2 });
    const blocks = [0, 1, 2, 3].map(() => allocator.alloc(2));
    expect(blocks.sort((a, b) => a - b)).toEqual([0, 4, 8, 12]);
    expect(allocator.alloc(0)).toBe(-1);
    if (plugin.name === "frames-buddy") expect(allocator.alloc(3)).toBe(-1);
  });
});

/**
 * A seeded churn of order-0 allocations and frees that leaves about half of
 * memory free, then: how many order-9 (2 MiB) runs can still be allocated?
 */
function hugeRunsAfterChurn(plugin: FrameAllocatorPlugin, seed: string): { free: number; hugeRuns: number } {
  const count = 1 << 15; // 128 MiB of 4 KiB frames
  const allocator = plugin.create({ count, frameSize: 4096, maxOrder: 9 });
  const rng = createRng(seed);
  const live: number[] = [];
  for (let step = 0; step < 200_000; step++) {
    // Drift towards half of memory in use, with noise.
    const wantAlloc = rng.next() < (live.length < count / 2 ? 0.6 : 0.4);
    if (wantAlloc) {
      const frame = allocator.alloc(0);
      if (frame >= 0) live.push(frame);
    } else if (live.length > 0) {
      const at = rng.int(live.length);
      allocator.free(live[at], 0);
      live[at] = live[live.length - 1];
      live.pop();
    }
  }
  let hugeRuns = 0;
  while (allocator.alloc(9) >= 0) hugeRuns++;
  return { free: count - live.length, hugeRuns };
}

describe("fragmentation after order-0 churn", () => {
  it("buddy keeps at least as many 2 MiB runs as the first-fit free list", () => {
    const buddy = hugeRunsAfterChurn(framesBuddy, "frames-churn");
    const freeList = hugeRunsAfterChurn(framesFreeList, "frames-churn");
    console.log(
      `order-9 runs left after churn (32768 frames): frames-buddy ${buddy.hugeRuns} (free ${buddy.free}), ` +
        `frames-free-list ${freeList.hugeRuns} (free ${freeList.free}); at most ${Math.floor(buddy.free / 512)} possible`,
    );
    expect(buddy.free).toBeGreaterThan(32768 * 0.4);
    expect(buddy.hugeRuns).toBeGreaterThanOrEqual(freeList.hugeRuns);
    expect(buddy.hugeRuns).toBeGreaterThan(0);
  });
});
