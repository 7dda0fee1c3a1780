/**
 * next-fit — the implicit free list of `first-fit`, but each search starts
 * where the previous one stopped (Knuth's "roving pointer"), wrapping around
 * at the end of the heap.
 *
 * Idea: first fit keeps re-scanning the splinters it left near the heap
 * start; next fit skips them by remembering a rover. The rover is a block
 * address kept in `heap.registers[1]` (the only place outside simulated memory
 * an allocator may keep state), and it is pulled back to the start of a block
 * whenever a merge swallows the block it pointed into.
 *
 * Trade-off: searches are shorter on average, but allocations get spread over
 * the whole heap instead of packed at the bottom, so free space is cut into
 * more pieces: utilization is usually a little worse than first fit (Wilson
 * et al., "Dynamic Storage Allocation: A Survey", 1995). Worst case is still
 * O(number of blocks) per malloc.
 *
 * Shines: long runs of same-sized allocations that are freed in order.
 * Fails: mixes of short- and long-lived blocks (long-lived ones end up
 * scattered everywhere).
 *
 * realloc and malloc(0) behave as in first-fit (malloc(0) returns 0).
 * Options: `makeNextFit({ headerBytes: 4 | 8, alignment })`.
 */
import { defineAllocator } from "memarena";
import { makeImplicitList } from "./implicit-list";

/** Options of the next-fit allocator. */
export interface NextFitOptions {
  /** Header/footer word size: 4 or 8 (default 8). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
}

/** A next-fit implicit-list allocator plugin with the given options. */
export function makeNextFit(options: NextFitOptions = {}) {
  return defineAllocator({
    name: "next-fit",
    description: "Implicit free list with a roving pointer (next fit), boundary tags, immediate coalescing.",
    create: makeImplicitList({ ...options, fit: "next" }),
  });
}

export default makeNextFit();
