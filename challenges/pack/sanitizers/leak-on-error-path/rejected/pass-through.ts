/**
 * A sanitizer that only forwards to the allocator it wraps: no bookkeeping,
 * so the blocks lost on the error path are never reported at exit.
 * @expect detection
 */
import { defineSanitizer } from "memarena";

export default defineSanitizer({
  name: "pass-through",
  create: (_heap, inner) => ({
    malloc: (size) => inner.malloc(size),
    free: (ptr) => inner.free(ptr),
    realloc: (ptr, size) => inner.realloc(ptr, size),
  }),
});
