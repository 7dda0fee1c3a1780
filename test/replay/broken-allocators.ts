/**
 * Deliberately broken allocators, each wrong in one way a check must catch.
 * All keep their state in simulated memory (a bump pointer in registers), so
 * only the intended check can fire.
 */
import { defineAllocator } from "memarena";
import { HEADER, bump } from "../../challenges/pack/_shared/bump";


/** Correct: the reference point for the broken ones. */
export const goodBump = defineAllocator({
  name: "good-bump",
  create: (heap) => ({
    malloc: (size) => bump(heap, size),
    free: () => undefined,
  }),
});

/** Returns the same block twice after a free... of something else: overlap. */
export const overlapping = defineAllocator({
  name: "overlapping",
  create: (heap) => ({
    malloc(size) {
      // Every third call hands back the previous payload again.
      heap.registers[0]++;
      if (heap.registers[0] % 3 === 0 && heap.registers[1] !== 0) return heap.registers[1];
      const p = bump(heap, size);
      heap.registers[1] = p;
      return p;
    },
    free: () => undefined,
  }),
});

/** Payloads 8 bytes off 16-byte alignment. */
export const misaligned = defineAllocator({
  name: "misaligned",
  create: (heap) => ({ malloc: (size) => { const p = bump(heap, size, 8); return p === 0 ? 0 : p + 8; }, free: () => undefined }),
});

/** Writes its "header" inside the previous block's payload at free time. */
export const headerInPayload = defineAllocator({
  name: "header-in-payload",
  create: (heap) => ({
    malloc: (size) => bump(heap, size),
    free: (ptr) => {
      // Marks the block free by writing into the payload itself (its first 8 bytes) — and into
      // the NEXT block's payload, which is still live.
      const size = heap.load64(ptr - HEADER);
      const next = ptr + Math.ceil((HEADER + Math.max(size, 1)) / 16) * 16;
      if (next < heap.heapEnd) heap.store64(next, 0xdead);
    },
  }),
});

/** realloc that forgets to copy. */
export const reallocLoses = defineAllocator({
  name: "realloc-loses",
  create: (heap) => ({
    malloc: (size) => bump(heap, size),
    free: () => undefined,
    realloc: (_ptr, size) => bump(heap, size),
  }),
});

/** Returns addresses beyond the break. */
export const outOfHeap = defineAllocator({
  name: "out-of-heap",
  create: (heap) => ({ malloc: () => heap.heapEnd + 4096, free: () => undefined }),
});

/** Keeps its free list in a JS Map: correct until re-created mid-run. */
export const jsMapFreeList = defineAllocator({
  name: "js-map-free-list",
  create: (heap) => {
    const free = new Map<number, number[]>(); // rounded size -> free payloads
    const round = (n: number) => Math.ceil(Math.max(n, 1) / 16) * 16;
    return {
      malloc(size) {
        const list = free.get(round(size));
        if (list && list.length > 0) return list.pop()!;
        return bump(heap, round(size));
      },
      free(ptr) {
        const size = round(heap.load64(ptr - HEADER));
        free.set(size, [...(free.get(size) ?? []), ptr]);
      },
    };
  },
});

/** Returns NaN. */
export const returnsNaN = defineAllocator({ name: "nan", create: () => ({ malloc: () => Number.NaN, free: () => undefined }) });

/** Throws a TypeError on the fifth malloc. */
export const throwsLater = defineAllocator({
  name: "throws-later",
  create: (heap) => ({
    malloc(size) {
      if (++heap.registers[2] === 5) (undefined as unknown as { x: number }).x = 1;
      return bump(heap, size);
    },
    free: () => undefined,
  }),
});

/** Reads an unmapped address. */
export const wildRead = defineAllocator({
  name: "wild-read",
  create: (heap) => ({ malloc: () => heap.load64(0x7000_0000_0000), free: () => undefined }),
});

/** Returns 0 while plenty of heap is left. */
export const givesUp = defineAllocator({ name: "gives-up", create: (heap) => ({ malloc: (size) => (size > 1000 ? 0 : bump(heap, size)), free: () => undefined }) });
