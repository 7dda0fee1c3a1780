/**
 * Grows the heap but returns an address one page past the break.
 * Caught by the `bounds` check.
 */
import { defineAllocator } from "memarena";
import { bump } from "./bump";


export default defineAllocator({
  name: "out-of-heap",
  create: (heap) => ({
    malloc(size) {
      if (bump(heap, size) === 0) return 0;
      return heap.heapEnd + 4096;
    },
    free: () => undefined,
  }),
});
