/**
 * Deliberately broken allocators, each wrong in one way a check must catch.
 * All keep their state in simulated memory (a bump pointer in registers), so
 * only the intended check can fire.
 */
import { defineAllocator } from "memarena";
import { bump } from "../../challenges/pack/_shared/bump";


/** Correct: the reference point for the broken ones. */
export const goodBump = defineAllocator({
  name: "good-bump",
  create: (heap) => ({
    malloc: (size) => bump(heap, size),
    free: () => undefined,
  }),
});

// The broken references the challenge pack ships (each wrong in one way) serve here too.
export { default as overlapping } from "../../challenges/pack/_shared/overlapping";
export { default as misaligned } from "../../challenges/pack/_shared/misaligned";
export { default as headerInPayload } from "../../challenges/pack/_shared/header-in-payload";
export { default as outOfHeap } from "../../challenges/pack/_shared/out-of-heap";
export { default as jsMapFreeList } from "../../challenges/pack/_shared/js-map-free-list";
export { default as reallocLoses } from "../../challenges/pack/heap/realloc/rejected/realloc-loses";

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
