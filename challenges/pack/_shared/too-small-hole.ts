/**
 * Always takes the largest hole's neighbour to the left — the hole just
 * before the largest — even when it is too small for the process.
 * Caught by the `bounds` check.
 */
import { definePlacement } from "memarena";

export default definePlacement({
  name: "too-small-hole",
  create: () => ({
    choose(holes, size) {
      let largest = 0;
      holes.forEach((h, i) => {
        if (h.size > holes[largest].size) largest = i;
      });
      if (holes[largest].size < size) return -1;
      return largest > 0 ? largest - 1 : holes.findIndex((h) => h.size >= size);
    },
  }),
});
