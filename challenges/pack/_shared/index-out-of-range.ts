/**
 * Returns the hole count (one past the last index) when no hole fits,
 * instead of -1.
 * Caught by the `invalidReturn` check.
 */
import { definePlacement } from "memarena";

export default definePlacement({
  name: "index-out-of-range",
  create: () => ({
    choose(holes, size) {
      const i = holes.findIndex((h) => h.size >= size);
      return i >= 0 ? i : holes.length;
    },
  }),
});
