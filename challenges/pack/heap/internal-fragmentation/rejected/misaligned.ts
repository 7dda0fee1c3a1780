/**
 * Payloads 8 bytes off the required 16-byte alignment (an 8-byte header, as on a 32-bit machine).
 * @expect alignment
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
  name: "misaligned",
  create: (heap) => ({
    malloc(size) {
      const p = bump(heap, size, 8);
      return p === 0 ? 0 : p + 8;
    },
    free: () => undefined,
  }),
});
