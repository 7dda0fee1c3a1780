/**
 * Payloads 8 bytes off the required 16-byte alignment (an 8-byte header, as on a 32-bit machine).
 * Caught by the `alignment` check.
 */
import { defineAllocator } from "memarena";
import { bump } from "./bump";


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
