/**
 * Behaviour each strategy is known for, checked directly on the fake heap,
 * and a check that the replay harness really catches broken allocators.
 */
import { defineAllocator, type AllocatorPlugin } from "memarena";
import firstFit from "../../plugins/allocators/first-fit";
import nextFit from "../../plugins/allocators/next-fit";
import bestFit from "../../plugins/allocators/best-fit";
import worstFit from "../../plugins/allocators/worst-fit";
import segregatedFits, { makeSegregatedFits } from "../../plugins/allocators/segregated-fits";
import buddy from "../../plugins/allocators/buddy";
import hugePageAware, { makeHugePageAware } from "../../plugins/allocators/huge-page-aware";
import { FakeHeap } from "../helpers/fake-heap";
import { type HeapOp, replay } from "./allocator-harness";

const KIB = 1024;
const MIB = 1024 * KIB;

function start(plugin: AllocatorPlugin, heap = new FakeHeap()) {
  const allocator = plugin.create(heap);
  allocator.init?.();
  return { heap, allocator };
}

describe("first-fit and the explicit lists coalesce immediately", () => {
  it.each([firstFit, nextFit, bestFit, worstFit, segregatedFits].map((p) => [p.name, p] as const))(
    "%s: three freed neighbours serve one big request without growing",
    (_name, plugin) => {
    const { heap, allocator } = start(plugin);
    const blocks = [100, 200, 300].map((n) => allocator.malloc(n));
    allocator.malloc(16); // keeps the freed run away from the heap end
    const extent = heap.heapEnd;
    allocator.free(blocks[1]);
    allocator.free(blocks[0]);
    allocator.free(blocks[2]);
    expect(allocator.malloc(600)).toBe(blocks[0]);
    expect(heap.heapEnd).toBe(extent);
    },
  );
});

describe("fit policies", () => {
  /** Holes of 512, 128 and 256 payload bytes, separated by live blocks; then a 100-byte request. */
  function holes(plugin: AllocatorPlugin): { chosen: number; holeAt: number[] } {
    const { allocator } = start(plugin);
    const sizes = [512, 128, 256];
    const holeAt: number[] = [];
    for (const size of sizes) {
      holeAt.push(allocator.malloc(size));
      allocator.malloc(32);
    }
    holeAt.forEach((p) => allocator.free(p));
    return { chosen: allocator.malloc(100), holeAt };
  }

  it("first-fit takes the first hole, best-fit the smallest, worst-fit the largest", () => {
    const ff = holes(firstFit);
    expect(ff.chosen).toBe(ff.holeAt[0]);
    const bf = holes(bestFit);
    expect(bf.chosen).toBe(bf.holeAt[1]);
    const wf = holes(worstFit);
    expect(wf.chosen).toBe(wf.holeAt[0]);
  });

  it("next-fit resumes after its last allocation, first-fit goes back to the start", () => {
    for (const plugin of [firstFit, nextFit]) {
      const { allocator } = start(plugin);
      const holes = [0, 1, 2].map(() => {
        const p = allocator.malloc(64);
        allocator.malloc(16);
        return p;
      });
      holes.forEach((p) => allocator.free(p));
      expect(allocator.malloc(64)).toBe(holes[0]);
      expect(allocator.malloc(64)).toBe(holes[1]);
      allocator.free(holes[0]);
      // First fit takes the first hole again; next fit carries on after the last allocation.
      expect(allocator.malloc(64)).toBe(plugin === firstFit ? holes[0] : holes[2]);
    }
  });
});

describe("segregated-fits", () => {
  it("drops footers from allocated blocks: 12-byte requests take 16 bytes each with 16-byte alignment", () => {
    const { heap, allocator } = start(segregatedFits);
    const before = heap.heapEnd;
    // Refills of 1, 2 and 4 blocks: exactly 7 blocks carved.
    const ptrs = Array.from({ length: 7 }, () => allocator.malloc(12));
    expect(heap.heapEnd - before).toBe(7 * 16);
    expect(new Set(ptrs.map((p) => Math.floor(p / 16))).size).toBe(7);
  });

  it("carves small blocks in slabs, so freeing the big ones between them leaves one coalescable run", () => {
    const { heap, allocator } = start(segregatedFits);
    const smalls: number[] = [];
    const larges: number[] = [];
    for (let i = 0; i < 31; i++) {
      smalls.push(allocator.malloc(64));
      larges.push(allocator.malloc(448));
    }
    for (const p of larges) allocator.free(p);
    const extent = heap.heapEnd;
    // 31 x 464 bytes of holes, in runs of 1, 2, 4, 8 and 16: room for 0 + 1 + 3 + 7 + 14 blocks of 512.
    for (let i = 0; i < 25; i++) allocator.malloc(512);
    expect(heap.heapEnd).toBe(extent);
    expect(smalls.length).toBe(31);
  });

  it("moves a block that realloc grows past pageSize / 8 to its own mapping, which it then grows in place", () => {
    const heap = new FakeHeap();
    const { allocator } = start(segregatedFits, heap);
    const p = allocator.malloc(100);
    allocator.malloc(16);
    const q = allocator.realloc!(p, 1000);
    expect(q < heap.heapStart || q >= heap.heapEnd).toBe(true);
    expect(heap.mmappedBytes).toBe(heap.pageSize);
    expect(allocator.realloc!(q, 3000)).toBe(q);
    expect(allocator.usableSize!(q)).toBeGreaterThanOrEqual(3000);
    allocator.free(q);
    expect(heap.mmappedBytes).toBe(0);
  });

  it("grows the last block in place, asking sbrk only for the difference (mappings off)", () => {
    const { heap, allocator } = start(makeSegregatedFits({ mapThreshold: 0 }));
    const p = allocator.malloc(1000);
    const before = heap.heapEnd;
    expect(allocator.realloc!(p, 5000)).toBe(p);
    expect(heap.heapEnd - before).toBe(4000);
  });

  it("grows in place into a free successor (mappings off)", () => {
    const { heap, allocator } = start(makeSegregatedFits({ mapThreshold: 0 }));
    const p = allocator.malloc(1000);
    const q = allocator.malloc(3000);
    allocator.malloc(16);
    allocator.free(q);
    const extent = heap.heapEnd;
    expect(allocator.realloc!(p, 3900)).toBe(p);
    expect(heap.heapEnd).toBe(extent);
  });

  it("extends only by what is missing when the last block is free", () => {
    const { heap, allocator } = start(segregatedFits);
    allocator.malloc(100);
    const p = allocator.malloc(1000);
    allocator.free(p);
    const before = heap.heapEnd;
    allocator.malloc(3000);
    expect(heap.heapEnd - before).toBeLessThanOrEqual(3000 - 1000 + 16);
  });
});

describe("buddy", () => {
  it("rounds header + request up to a power of two (internal fragmentation)", () => {
    const { allocator } = start(buddy);
    const a = allocator.malloc(33);
    const b = allocator.malloc(33);
    expect(Math.abs(b - a)).toBe(64);
    expect(allocator.usableSize!(a)).toBe(64 - 8);
    expect(allocator.usableSize!(allocator.malloc(2049))).toBe(4096 - 8);
  });

  it("merges buddies on free: two freed halves serve a request of double size in place", () => {
    const { heap, allocator } = start(buddy);
    const a = allocator.malloc(1000);
    const b = allocator.malloc(1000);
    const extent = heap.heapEnd;
    allocator.free(a);
    allocator.free(b);
    const c = allocator.malloc(2000);
    expect(c).toBe(Math.min(a, b));
    expect(heap.heapEnd).toBe(extent);
  });
});

describe("huge-page-aware", () => {
  it("serves large requests from a huge-page mapping and unmaps it on free", () => {
    const heap = new FakeHeap();
    const { allocator } = start(hugePageAware, heap);
    const p = allocator.malloc(300 * KIB);
    expect(heap.regionOf(p)?.hugePage).toBe(true);
    expect(heap.mmappedBytes).toBe(2 * MIB);
    expect(heap.stats.hugeMmaps).toBe(1);
    const small = allocator.malloc(100);
    expect(small).toBeGreaterThanOrEqual(heap.heapStart);
    expect(small).toBeLessThan(heap.heapEnd);
    allocator.free(p);
    expect(heap.mmappedBytes).toBe(0);
  });

  it("falls back to normal pages when huge pages are unavailable, then to the small heap", () => {
    const noHuge = new FakeHeap({ hugePageSizes: [] });
    const a = start(hugePageAware, noHuge).allocator.malloc(300 * KIB);
    expect(noHuge.regionOf(a)?.hugePage).toBe(false);
    expect(noHuge.mmappedBytes).toBe(300 * KIB + 4 * KIB);

    const noMmap = new FakeHeap({ mmapLimit: 0 });
    const b = start(hugePageAware, noMmap).allocator.malloc(300 * KIB);
    expect(b).toBeGreaterThanOrEqual(noMmap.heapStart);
    expect(b + 300 * KIB).toBeLessThanOrEqual(noMmap.heapEnd);
  });

  it("reallocs a mapped block in place while it fits its mapping, and moves it out when it shrinks below the threshold", () => {
    const heap = new FakeHeap();
    const { allocator } = start(makeHugePageAware({ threshold: 64 * KIB }), heap);
    const p = allocator.malloc(100 * KIB);
    expect(allocator.realloc!(p, 1 * MIB)).toBe(p);
    const q = allocator.realloc!(p, 1000);
    expect(q).toBeLessThan(heap.heapEnd);
    expect(heap.mmappedBytes).toBe(0);
  });
});

describe("the replay harness catches broken allocators", () => {
  const bump = (bugs: { jsState?: boolean; overlap?: boolean; misalign?: boolean; noCopy?: boolean }) =>
    defineAllocator({
      name: "broken-bump",
      create(heap) {
        let jsTop = 0;
        const malloc = (size: number): number => {
          if (bugs.jsState) {
            if (jsTop === 0) jsTop = heap.heapStart;
            const p = jsTop;
            jsTop += Math.ceil(size / 16) * 16;
            if (jsTop > heap.heapEnd) heap.sbrk(jsTop - heap.heapEnd);
            return p;
          }
          const p = heap.sbrk(Math.ceil(size / 16) * 16 + 16);
          if (bugs.overlap) return heap.heapStart;
          return bugs.misalign ? p + 4 : p;
        };
        return {
          malloc,
          free() {},
          realloc(ptr, size) {
            const q = malloc(size);
            if (!bugs.noCopy) heap.copy(q, ptr, size);
            return q;
          },
        };
      },
    });

  const ops: HeapOp[] = [
    { op: "alloc", id: 0, size: 40 },
    { op: "alloc", id: 1, size: 40 },
    { op: "recreate" },
    { op: "alloc", id: 2, size: 40 },
    { op: "realloc", id: 1, size: 80 },
    { op: "free", id: 0 },
  ];

  it.each([
    ["overlapping blocks", { overlap: true }, /overlaps/],
    ["misaligned payload", { misalign: true }, /aligned/],
    ["a realloc that loses the contents", { noCopy: true }, /realloc lost/],
    ["state kept in JS, lost on re-creation", { jsState: true }, /overlaps|changed/],
  ] as const)("%s", (_label, bugs, message) => {
    expect(() => replay(bump(bugs), new FakeHeap(), ops)).toThrow(message);
  });

  it("accepts a correct bump allocator", () => {
    expect(() => replay(bump({}), new FakeHeap(), ops)).not.toThrow();
  });
});
