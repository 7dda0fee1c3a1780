/**
 * placement-worst-fit — contiguous placement in the largest hole (the lowest
 * such hole on a tie), if it is big enough.
 *
 * Idea: the leftover is as large as possible, so it may still be useful.
 * Trade-off: scans every hole, and it steadily breaks up the big holes, so
 * a large process soon finds none. O(holes) per choice.
 * Shines: many processes of similar, medium size. Fails: occasional large
 * processes. compact(): the shared sliding compaction (see compaction.ts).
 */
import { definePlacement } from "memarena";
import { slideCompaction } from "./compaction";

export default definePlacement({
  name: "placement-worst-fit",
  description: "The largest hole, if it is big enough; sliding compaction around pinned segments.",
  create() {
    return {
      choose(holes, size) {
        let chosen = -1;
        holes.forEach((hole, i) => {
          if (chosen < 0 || hole.size > holes[chosen].size) chosen = i;
        });
        return chosen >= 0 && holes[chosen].size >= size ? chosen : -1;
      },
      compact: slideCompaction,
    };
  },
});
