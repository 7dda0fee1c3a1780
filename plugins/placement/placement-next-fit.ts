/**
 * placement-next-fit — first fit, but each search starts where the previous
 * placement ended and wraps around (Knuth's roving pointer).
 *
 * Idea: do not re-scan the leftovers at low addresses on every request.
 * The rover is the end address of the last placement (hole base + size), kept
 * in the closure — a placement plugin has no heap. An address rather than an
 * index, because indices shift as holes appear and disappear between calls.
 * The search starts at the first hole that reaches past the rover.
 *
 * Trade-off: shorter searches, but placements spread over all of memory, so
 * no region stays free for a big process; fragmentation is usually a bit
 * worse than first fit. O(holes) per choice in the worst case.
 * compact(): the shared sliding compaction (see compaction.ts).
 */
import { definePlacement } from "memarena";
import { slideCompaction } from "./compaction";

export default definePlacement({
  name: "placement-next-fit",
  description: "First fit from where the last placement ended, wrapping around; sliding compaction.",
  create() {
    let rover = 0;
    return {
      choose(holes, size) {
        if (holes.length === 0) return -1;
        let start = holes.findIndex((hole) => hole.base + hole.size > rover);
        if (start < 0) start = 0;
        for (let step = 0; step < holes.length; step++) {
          const i = (start + step) % holes.length;
          if (holes[i].size >= size) {
            rover = holes[i].base + size;
            return i;
          }
        }
        return -1;
      },
      compact: slideCompaction,
    };
  },
});
