/**
 * first-fit — the textbook baseline (CS:APP 9.9): an implicit free list with
 * boundary tags, first-fit placement and immediate coalescing.
 *
 * Idea: the heap is a sequence of blocks, each with a header and a footer
 * word `size | allocated`. malloc walks the blocks from the start of the heap
 * and takes the first free one that is big enough, splitting off the rest;
 * free clears the bit and merges with free neighbours at once (the footer of
 * the block before tells where it starts). The mechanics live in
 * `implicit-list.ts`.
 *
 * Trade-off: no list to maintain and tiny code, but malloc is O(number of
 * blocks, allocated ones included), and first fit leaves small splinters near
 * the heap start that every later search has to step over. Utilization is
 * decent (coalescing is immediate; the heap grows by exactly what is missing)
 * but two tag words per block cost on small requests.
 *
 * Shines: few blocks, mostly large requests, teaching. Fails: many live
 * blocks (every search is a long walk), many tiny requests (tags dominate).
 *
 * realloc: shrinks in place; grows in place when the next block is free and
 * big enough; otherwise malloc + copy + free. malloc(0) returns 0 (no block).
 * Options: `makeFirstFit({ headerBytes: 4 | 8, alignment })`.
 */
import { defineAllocator } from "memarena";
import { makeImplicitList } from "./implicit-list";

/** Options of the first-fit allocator. */
export interface FirstFitOptions {
  /** Header/footer word size: 4 or 8 (default 8). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
}

/** A first-fit implicit-list allocator plugin with the given options. */
export function makeFirstFit(options: FirstFitOptions = {}) {
  return defineAllocator({
    name: "first-fit",
    description: "Implicit free list, first fit, boundary tags, immediate coalescing (CS:APP 9.9).",
    create: makeImplicitList({ ...options, fit: "first" }),
  });
}

export default makeFirstFit();
