/**
 * On free it marks the block by writing a tag after it — into the next block's payload, which is still live.
 * Caught by the `payloadIntegrity` check.
 */
import { defineAllocator } from "memarena";
import { HEADER, bump } from "./bump";


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
