/**
 * Every third malloc hands back the previous payload again, while it is still live.
 * @expect overlap
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
  name: "overlapping",
  create: (heap) => ({
    malloc(size) {
      heap.registers[0]++;
      if (heap.registers[0] % 3 === 0 && heap.registers[1] !== 0) return heap.registers[1];
      const p = bump(heap, size);
      heap.registers[1] = p;
      return p;
    },
    free: () => undefined,
  }),
});
