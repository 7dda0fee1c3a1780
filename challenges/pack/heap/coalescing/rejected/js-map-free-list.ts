/**
 * Correct, except that its free lists live in a JavaScript Map instead of simulated memory: when the grader re-creates the allocator mid-run, the lists are gone.
 * @expect heapResidentMetadata
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
  name: "js-map-free-list",
  create(heap) {
    const free = new Map<number, number[]>(); // rounded size -> free payloads
    const round = (n: number): number => Math.ceil(Math.max(n, 1) / 16) * 16;
    const malloc = (size: number): number => {
      const list = free.get(round(size));
      if (list && list.length > 0) return list.pop()!;
      return bump(heap, round(size));
    };
    const release = (ptr: number): void => {
      const size = round(heap.load64(ptr - HEADER));
      free.set(size, [...(free.get(size) ?? []), ptr]);
    };
    return {
      malloc,
      free: release,
      realloc(ptr, size) {
        const old = heap.load64(ptr - HEADER);
        if (round(old) >= round(size)) return ptr;
        const fresh = malloc(size);
        if (fresh === 0) return 0;
        heap.copy(fresh, ptr, Math.min(old, size));
        release(ptr);
        return fresh;
      },
    };
  },
});
