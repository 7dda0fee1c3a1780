/**
 * Grows the heap but returns an address one page past the break.
 * @expect bounds
 */
import { defineAllocator, type Heap } from "memarena";

const HEADER = 16;

/** Bump allocation: a 16-byte header holding the size, payloads 16-aligned; 0 at the heap limit. */
function bump(heap: Heap, size: number, extra = 0): number {
  const total = Math.ceil((HEADER + Math.max(size, 1) + extra) / 16) * 16;
  const old = heap.sbrk(total);
  if (old === -1) return 0;
  heap.store64(old, size);
  return old + HEADER;
}

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
