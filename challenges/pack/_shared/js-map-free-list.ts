/**
 * Correct, except that its free lists live in a JavaScript Map instead of simulated memory: when the grader re-creates the allocator mid-run, the lists are gone.
 * Caught by the `heapResidentMetadata` check.
 */
import { defineAllocator } from "memarena";
import { HEADER, bump } from "./bump";


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
