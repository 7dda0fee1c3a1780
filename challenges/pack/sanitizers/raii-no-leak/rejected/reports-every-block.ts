/**
 * A "leak checker" that reports every block it ever saw at exit, freed or
 * not — including the ones RAII released while a scope unwound.
 * @expect falseAlarm
 */
import { defineSanitizer } from "memarena";

export default defineSanitizer({
  name: "reports-every-block",
  create(_heap, inner) {
    const seen: { address: number; size: number }[] = [];
    return {
      malloc(size) {
        const ptr = inner.malloc(size);
        if (ptr !== 0) seen.push({ address: ptr, size });
        return ptr;
      },
      free: (ptr) => inner.free(ptr),
      realloc: (ptr, size) => inner.realloc(ptr, size),
      onExit: () => seen.map((b) => ({ kind: "leak" as const, address: b.address, block: b })),
    };
  },
});
