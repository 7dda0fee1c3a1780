import fc from "fast-check";
import type { AllocatorPlugin } from "memarena";
import firstFit, { makeFirstFit } from "../../plugins/allocators/first-fit";
import nextFit from "../../plugins/allocators/next-fit";
import bestFit from "../../plugins/allocators/best-fit";
import worstFit from "../../plugins/allocators/worst-fit";
import segregatedFits, { makeSegregatedFits } from "../../plugins/allocators/segregated-fits";
import buddy from "../../plugins/allocators/buddy";
import hugePageAware, { makeHugePageAware } from "../../plugins/allocators/huge-page-aware";
import { FakeHeap } from "../helpers/fake-heap";
import { type Command, replay, toOps } from "./allocator-harness";

const KIB = 1024;

const PLUGINS: readonly AllocatorPlugin[] = [
  firstFit,
  makeFirstFit({ headerBytes: 4 }),
  nextFit,
  bestFit,
  worstFit,
  segregatedFits,
  makeSegregatedFits({ headerBytes: 8 }),
  buddy,
  hugePageAware,
  makeHugePageAware({ threshold: 4 * KIB }),
];

/** Mostly small sizes, some medium, a few large enough for the huge-page path. */
const sizeArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 6, arbitrary: fc.integer({ min: 65, max: 4 * KIB }) },
  { weight: 1, arbitrary: fc.integer({ min: 4 * KIB, max: 300 * KIB }) },
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: sizeArb.map((size) => ({ op: "alloc" as const, size })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ op: "free" as const, pick })) },
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), size: sizeArb }).map((r) => ({ op: "realloc" as const, ...r })) },
  { weight: 1, arbitrary: fc.constant({ op: "recreate" as const }) },
);

const heapArb = fc.record({
  alignment: fc.constantFrom(8, 16),
  // The real heap starts page-aligned; an odd 8-byte start checks the padding code.
  heapStart: fc.constantFrom(0x40_0000, 0x40_0008),
});

describe.each(PLUGINS.map((p, i) => [`${p.name}#${i}`, p] as const))("allocator %s", (_label, plugin) => {
  it("keeps payloads aligned, in bounds, disjoint and intact over random alloc/free/realloc (with re-creation)", () => {
    fc.assert(
      fc.property(heapArb, fc.array(commandArb, { maxLength: 150 }), (heapOptions, commands) => {
        const heap = new FakeHeap({ ...heapOptions, heapLimit: 256 * 1024 * KIB });
        replay(plugin, heap, toOps(commands));
      }),
      { numRuns: 120 },
    );
  });

  it("survives re-creation after every op of a churn (all state in simulated memory)", () => {
    const heap = new FakeHeap();
    const commands: Command[] = [];
    for (let i = 0; i < 400; i++) {
      const size = 1 + ((i * 7919) % 700);
      commands.push({ op: "alloc", size }, { op: "recreate" });
      if (i % 3 === 0) commands.push({ op: "free", pick: i * 31 }, { op: "recreate" });
      if (i % 5 === 0) commands.push({ op: "realloc", pick: i * 17, size: size * 2 }, { op: "recreate" });
    }
    replay(plugin, heap, toOps(commands));
  });

  it("free(0) is a no-op, malloc(0) returns 0, realloc(0, n) allocates and realloc(p, 0) frees", () => {
    const heap = new FakeHeap();
    const a = plugin.create(heap);
    a.init?.();
    a.free(0);
    expect(a.malloc(0)).toBe(0);
    const p = a.realloc!(0, 100);
    expect(p).toBeGreaterThan(0);
    expect(a.realloc!(p, 0)).toBe(0);
    const q = a.malloc(100);
    expect(q).toBeGreaterThan(0);
  });

  it("returns 0 when sbrk fails, and keeps working afterwards", () => {
    const heap = new FakeHeap({ heapLimit: 64 * KIB, mmapLimit: 0 });
    const a = plugin.create(heap);
    a.init?.();
    const small = a.malloc(100);
    expect(small).toBeGreaterThan(0);
    expect(a.malloc(1024 * KIB)).toBe(0);
    heap.writeBytes(small, new Uint8Array(100).fill(7));
    const again = a.malloc(200);
    expect(again).toBeGreaterThan(0);
    expect(heap.readBytes(small, 100).every((b) => b === 7)).toBe(true);
    a.free(small);
    a.free(again);
  });

  it("reuses freed memory: a free-then-alloc cycle does not grow the heap", () => {
    const heap = new FakeHeap();
    const a = plugin.create(heap);
    a.init?.();
    const blocks = Array.from({ length: 50 }, (_, i) => a.malloc(32 + i * 8));
    const extent = heap.heapEnd;
    for (let round = 0; round < 20; round++) {
      for (const p of blocks) a.free(p);
      for (let i = 0; i < blocks.length; i++) blocks[i] = a.malloc(32 + i * 8);
    }
    expect(heap.heapEnd).toBe(extent);
  });
});
