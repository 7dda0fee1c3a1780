import fc from "fast-check";
import type { Hole, PlacementPlugin, Segment } from "memarena";
import firstFit from "../../plugins/placement/placement-first-fit";
import nextFit from "../../plugins/placement/placement-next-fit";
import bestFit from "../../plugins/placement/placement-best-fit";
import worstFit from "../../plugins/placement/placement-worst-fit";
import type { Challenge } from "../../graders/challenge/types";
import { runJob } from "../../graders/replay/run-job";

/** A memory layout: consecutive regions, each a segment (maybe pinned) or a hole; adjacent holes merged. */
const layoutArb = fc
  .record({
    start: fc.integer({ min: 0, max: 1 << 20 }),
    regions: fc.array(
      fc.record({ size: fc.integer({ min: 1, max: 5000 }), kind: fc.constantFrom("segment", "segment", "pinned", "hole", "hole") }),
      { maxLength: 40 },
    ),
  })
  .map(({ start, regions }) => {
    const segments: Segment[] = [];
    const holes: Hole[] = [];
    let at = start;
    regions.forEach((r, i) => {
      if (r.kind === "hole") {
        const last = holes[holes.length - 1];
        if (last && last.base + last.size === at) holes[holes.length - 1] = { base: last.base, size: last.size + r.size };
        else holes.push({ base: at, size: r.size });
      } else {
        segments.push({ pid: 100 + i, base: at, size: r.size, pinned: r.kind === "pinned" });
      }
      at += r.size;
    });
    // Hand segments over in a shuffled-looking order: compact must not rely on sorting by the caller.
    segments.reverse();
    return { segments, holes, start, end: at };
  });

const overlaps = (a: { base: number; size: number }, b: { base: number; size: number }): boolean =>
  a.base < b.base + b.size && b.base < a.base + a.size;

const PLUGINS: readonly PlacementPlugin[] = [firstFit, nextFit, bestFit, worstFit];

describe.each(PLUGINS.map((p) => [p.name, p] as const))("%s compaction", (_name, plugin) => {
  it("moves only unpinned segments, once, in a safe order, into memory, without overlap; free space is unchanged", () => {
    fc.assert(
      fc.property(layoutArb, ({ segments, holes, start, end }) => {
        const moves = plugin.create().compact!(segments, holes);
        const where = new Map(segments.map((s) => [s.pid, { ...s }]));
        const movedPids = new Set<number>();
        for (const move of moves) {
          const seg = where.get(move.pid);
          expect(seg).toBeDefined();
          expect(seg!.pinned).toBe(false);
          expect(movedPids.has(move.pid)).toBe(false);
          movedPids.add(move.pid);
          const target = { base: move.to, size: seg!.size };
          expect(target.base).toBeGreaterThanOrEqual(start);
          expect(target.base + target.size).toBeLessThanOrEqual(end);
          // Safe to apply now: the destination overlaps no other segment where it is at this moment.
          for (const other of where.values()) {
            if (other.pid !== move.pid) expect(overlaps(target, other)).toBe(false);
          }
          seg!.base = move.to;
        }
        const after = [...where.values()].sort((a, b) => a.base - b.base);
        for (let i = 1; i < after.length; i++) expect(after[i - 1].base + after[i - 1].size).toBeLessThanOrEqual(after[i].base);
        const used = after.reduce((sum, s) => sum + s.size, 0);
        const freeBefore = holes.reduce((sum, h) => sum + h.size, 0);
        expect(end - start - used).toBe(freeBefore);
        for (const s of segments.filter((s) => s.pinned)) expect(where.get(s.pid)!.base).toBe(s.base);
        // Compacted: every unpinned segment touches memory start or the segment below it.
        after.forEach((s, i) => {
          if (!s.pinned) expect(s.base).toBe(i === 0 ? start : after[i - 1].base + after[i - 1].size);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("does not move anything when memory is already compact", () => {
    const segments: Segment[] = [
      { pid: 1, base: 0, size: 100, pinned: false },
      { pid: 2, base: 100, size: 50, pinned: true },
      { pid: 3, base: 150, size: 10, pinned: false },
    ];
    expect(plugin.create().compact!(segments, [{ base: 160, size: 840 }])).toEqual([]);
  });

  it("back-fills the gap below a pinned segment and slides the rest down", () => {
    const segments: Segment[] = [
      { pid: 1, base: 0, size: 100, pinned: false },
      { pid: 2, base: 300, size: 50, pinned: true },
      { pid: 3, base: 500, size: 150, pinned: false },
      { pid: 4, base: 700, size: 300, pinned: false },
    ];
    const holes: Hole[] = [
      { base: 100, size: 200 },
      { base: 350, size: 150 },
      { base: 650, size: 50 },
    ];
    expect(plugin.create().compact!(segments, holes)).toEqual([
      { pid: 3, to: 100 },
      { pid: 4, to: 350 },
    ]);
  });
});

const holesArb = fc
  .array(fc.record({ gap: fc.integer({ min: 1, max: 1000 }), size: fc.integer({ min: 1, max: 1000 }) }), { maxLength: 20 })
  .map((parts) => {
    let at = 0;
    return parts.map(({ gap, size }) => {
      at += gap;
      const hole = { base: at, size };
      at += size;
      return hole;
    });
  });

/** The definitions, written as plainly as possible. */
const bruteForce: Record<string, (holes: readonly Hole[], size: number) => number> = {
  "placement-first-fit": (holes, size) => {
    for (let i = 0; i < holes.length; i++) if (holes[i].size >= size) return i;
    return -1;
  },
  "placement-best-fit": (holes, size) => {
    const fits = holes.map((h, i) => ({ h, i })).filter(({ h }) => h.size >= size);
    fits.sort((a, b) => a.h.size - b.h.size || a.i - b.i);
    return fits.length ? fits[0].i : -1;
  },
  "placement-worst-fit": (holes, size) => {
    const all = holes.map((h, i) => ({ h, i })).sort((a, b) => b.h.size - a.h.size || a.i - b.i);
    return all.length && all[0].h.size >= size ? all[0].i : -1;
  },
};

describe("choose", () => {
  it.each(["placement-first-fit", "placement-best-fit", "placement-worst-fit"])("%s matches its brute-force definition", (name) => {
    const plugin = PLUGINS.find((p) => p.name === name)!;
    fc.assert(
      fc.property(holesArb, fc.integer({ min: 1, max: 1200 }), (holes, size) => {
        expect(plugin.create().choose(holes, size)).toBe(bruteForce[name](holes, size));
      }),
      { numRuns: 500 },
    );
  });

  it("placement-next-fit resumes after the last placement and wraps around", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(holesArb, fc.integer({ min: 1, max: 1200 })), { maxLength: 10 }), (calls) => {
        const placement = nextFit.create();
        let rover = 0;
        for (const [holes, size] of calls) {
          // Brute force: the holes in circular order, starting at the first one that reaches past the rover.
          const first = holes.findIndex((h) => h.base + h.size > rover);
          const order = holes.map((_, k) => (Math.max(first, 0) + k) % holes.length);
          const expected = order.find((i) => holes[i].size >= size) ?? -1;
          expect(placement.choose(holes, size)).toBe(expected);
          if (expected >= 0) rover = holes[expected].base + size;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("next-fit skips holes before the rover that first fit would take", () => {
    const placement = nextFit.create();
    const holes: Hole[] = [
      { base: 0, size: 100 },
      { base: 200, size: 100 },
      { base: 400, size: 100 },
    ];
    expect(placement.choose(holes, 50)).toBe(0);
    expect(placement.choose([{ base: 50, size: 50 }, ...holes.slice(1)], 60)).toBe(1);
    expect(placement.choose([{ base: 50, size: 50 }, { base: 260, size: 40 }, holes[2]], 10)).toBe(1);
    expect(placement.choose([{ base: 50, size: 50 }, { base: 270, size: 30 }, holes[2]], 40)).toBe(2);
    expect(placement.choose([{ base: 50, size: 50 }, { base: 270, size: 30 }, { base: 440, size: 60 }], 50)).toBe(2);
    // The rover is now at 490: nothing after it fits, so the search wraps to the lowest hole.
    expect(placement.choose([{ base: 50, size: 50 }, { base: 270, size: 30 }, { base: 490, size: 10 }], 40)).toBe(0);
  });
});

describe("placement replay metrics", () => {
  it("memoryUtilization is the mean share in segments over every spawn, exit and compaction, a full memory included", () => {
    // 64 KiB of memory: two 32 KiB processes fill it (no free space at that sample), then one exits.
    const challenge = {
      id: "test/full",
      subject: "placement",
      seed: 1,
      machine: { physicalMemory: "64KiB", mode: "base-limit" },
      workload: { ops: [{ op: "spawn", pid: 1, size: "32KiB" }, { op: "spawn", pid: 2, size: "32KiB" }, { op: "exit", pid: 1 }] },
    } as unknown as Challenge;
    const r = runJob({ challenge, plugin: { name: firstFit.name, kind: "placement", file: "<test>", sha256: "", code: "" } }, { main: firstFit });
    expect(r.verdict).toBe("pass");
    // Shares after each op: 1/2, 1 (full), 1/2.
    expect(r.metrics.memoryUtilization).toBeCloseTo((0.5 + 1 + 0.5) / 3, 12);
    expect(r.metrics.memoryUtilization).toBeLessThanOrEqual(1);
  });
});
