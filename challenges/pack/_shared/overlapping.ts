/**
 * Every third malloc hands back the previous payload again, while it is still live.
 * Caught by the `overlap` check.
 */
import { defineAllocator } from "memarena";
import { bump } from "./bump";


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
