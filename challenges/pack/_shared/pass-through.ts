/**
 * A sanitizer that only forwards to the allocator it wraps: no guard pages,
 * no bookkeeping, so it reports nothing. The rejected reference of every
 * sanitizer challenge that a real sanitizer must pass, and the baseline of
 * the sanitizer overhead tests.
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
