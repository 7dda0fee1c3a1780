/**
 * A sanitizer that only forwards to the allocator it wraps: no guard pages,
 * so an overrun lands in the next block or in slack and nothing is reported.
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
