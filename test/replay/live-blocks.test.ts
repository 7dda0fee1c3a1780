import fc from "fast-check";
import { LiveBlocks } from "../../graders/replay/live-blocks";
import { recreationPoints } from "../../graders/replay/recreation";
import type { HeapOp } from "../../graders/replay/ops";

describe("LiveBlocks", () => {
  it("answers overlap exactly as a brute-force interval test does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ptr: fc.integer({ min: 0, max: 2000 }), size: fc.integer({ min: 0, max: 120 }), remove: fc.boolean() }), { maxLength: 80 }),
        fc.array(fc.record({ ptr: fc.integer({ min: 0, max: 2200 }), size: fc.integer({ min: 0, max: 150 }) }), { maxLength: 40 }),
        (adds, queries) => {
          const set = new LiveBlocks();
          const model: { id: number; ptr: number; size: number }[] = [];
          const hits = (ptr: number, size: number, b: { ptr: number; size: number }) => b.ptr < ptr + Math.max(size, 1) && ptr < b.ptr + Math.max(b.size, 1);
          adds.forEach((a, id) => {
            if (model.some((b) => hits(a.ptr, a.size, b))) return; // only disjoint blocks are ever added
            set.add({ id, ptr: a.ptr, size: a.size, patternSeed: 1, op: id });
            model.push({ id, ptr: a.ptr, size: a.size });
            if (a.remove && model.length > 1) {
              const victim = model.splice(0, 1)[0];
              expect(set.remove(victim.id)?.id).toBe(victim.id);
            }
          });
          for (const q of queries) {
            const expected = model.some((b) => hits(q.ptr, q.size, b));
            expect(set.overlapping(q.ptr, q.size) !== undefined).toBe(expected);
          }
          expect(set.count).toBe(model.length);
          expect(set.liveBytes).toBe(model.reduce((s, b) => s + b.size, 0));
        },
      ),
    );
  });

  it("measures the gaps between live payloads", () => {
    const set = new LiveBlocks();
    set.add({ id: 1, ptr: 10, size: 10, patternSeed: 1, op: 0 });
    set.add({ id: 2, ptr: 50, size: 10, patternSeed: 1, op: 1 });
    // gaps: [0,10) = 10, [20,50) = 30, [60,100) = 40
    expect(set.gaps(0, 100)).toEqual({ largest: 40, total: 80 });
  });
});

describe("recreationPoints", () => {
  const ops: HeapOp[] = [];
  for (let i = 0; i < 200; i++) {
    ops.push({ op: "alloc", id: i, size: 16 });
    if (i % 3 === 2) ops.push({ op: "free", id: i - 1 });
  }

  it("picks seeded points where blocks are live and something was freed", () => {
    const points = recreationPoints(ops, 42);
    expect(points.length).toBe(3);
    const firstFree = ops.findIndex((o) => o.op === "free");
    for (const p of points) expect(p).toBeGreaterThan(firstFree);
    expect([...points].sort((a, b) => a - b)).toEqual(points);
  });

  it("is deterministic per seed and moves with the seed", () => {
    expect(recreationPoints(ops, 7)).toEqual(recreationPoints(ops, 7));
    const seeds = [1, 2, 3, 4, 5].map((s) => recreationPoints(ops, s).join(","));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it("finds no point in a workload that never frees", () => {
    expect(recreationPoints([{ op: "alloc", id: 1, size: 8 }, { op: "alloc", id: 2, size: 8 }], 1)).toEqual([]);
  });
});
