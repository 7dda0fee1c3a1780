/**
 * worst-fit — the explicit free list of `best-fit`, but malloc takes the
 * LARGEST free block. The list mechanics live in `explicit-list.ts`.
 *
 * Idea: carving a request out of the biggest hole leaves the biggest possible
 * remainder, which (the hope goes) is still useful, instead of best fit's
 * useless slivers.
 *
 * Trade-off: every malloc scans the whole free list, and in practice the
 * hope fails: worst fit steadily breaks up the large blocks, so a later large
 * request finds none and the heap grows. It is a reference point that shows
 * why "leave big remainders" is not the same as "keep big blocks" —
 * compare its utilization with best-fit's on the same workload.
 *
 * Shines: many requests of the same medium size. Fails: a mix of small and
 * large requests (the large ones keep missing).
 *
 * realloc and malloc(0) behave as in best-fit (malloc(0) returns 0).
 * Options: `makeWorstFit({ headerBytes: 4 | 8, alignment })`.
 */
import { defineAllocator } from "memarena";
import { makeExplicitList } from "./explicit-list";

/** Options of the worst-fit allocator. */
export interface WorstFitOptions {
  /** Header/footer word size: 4 or 8 (default 8). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
}

/** A worst-fit explicit-list allocator plugin with the given options. */
export function makeWorstFit(options: WorstFitOptions = {}) {
  return defineAllocator({
    name: "worst-fit",
    description: "Explicit doubly linked free list, worst fit (largest block), splitting, immediate coalescing.",
    create: makeExplicitList({ ...options, fit: "worst" }),
  });
}

export default makeWorstFit();
