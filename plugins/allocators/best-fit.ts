/**
 * best-fit — an explicit doubly linked free list (links inside the free
 * blocks), best-fit placement, splitting with a minimum block size and
 * immediate coalescing. The list mechanics live in `explicit-list.ts`.
 *
 * Idea: of all free blocks big enough, take the smallest, so the big ones
 * stay whole for big requests; stop early on an exact fit.
 *
 * Trade-off: every malloc scans the whole free list (O(free blocks)) unless
 * it finds an exact fit, but only free blocks are visited. Best fit tends to
 * give the best utilization of the simple policies on real programs (Wilson
 * et al. 1995), yet it leaves tiny remainders that are too small to use
 * ("sawdust"); the minimum block size (header + two links + footer) stops the
 * worst splinters by giving the remainder to the request instead.
 *
 * Shines: mixed sizes with moderate numbers of free blocks. Fails: very long
 * free lists (every miss is a full scan) — size classes fix that
 * (`segregated-fits`).
 *
 * realloc: shrinks in place, grows in place into a free successor, else
 * malloc + copy + free. malloc(0) returns 0.
 * Options: `makeBestFit({ headerBytes: 4 | 8, alignment })`.
 */
import { defineAllocator } from "memarena";
import { makeExplicitList } from "./explicit-list";

/** Options of the best-fit allocator. */
export interface BestFitOptions {
  /** Header/footer word size: 4 or 8 (default 8). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
}

/** A best-fit explicit-list allocator plugin with the given options. */
export function makeBestFit(options: BestFitOptions = {}) {
  return defineAllocator({
    name: "best-fit",
    description: "Explicit doubly linked free list, best fit, splitting, immediate coalescing.",
    create: makeExplicitList({ ...options, fit: "best" }),
  });
}

export default makeBestFit();
