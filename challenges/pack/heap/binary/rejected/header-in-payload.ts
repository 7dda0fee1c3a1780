/**
 * On free it marks the block by writing a tag after it — into the next block's payload, which is still live.
 * @expect payloadIntegrity
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
  name: "header-in-payload",
  create: (heap) => ({
    malloc: (size) => bump(heap, size),
    free(ptr) {
      const size = heap.load64(ptr - HEADER);
      const next = ptr + Math.ceil((HEADER + Math.max(size, 1)) / 16) * 16;
      if (next + 8 <= heap.heapEnd) heap.store64(next, 0xdead);
    },
  }),
});
