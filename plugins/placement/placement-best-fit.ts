/**
 * placement-best-fit — contiguous placement in the smallest hole that is big
 * enough (the lowest such hole on a tie).
 *
 * Idea: keep big holes whole for big processes by filling the tightest gap.
 * Trade-off: scans every hole, and the leftovers it creates are the smallest
 * possible — often too small for anything ("sawdust"), so external
 * fragmentation shows up as many tiny holes. O(holes) per choice.
 * Shines: a few large processes among many small. Fails: sizes that leave
 * slivers. compact(): the shared sliding compaction (see compaction.ts).
 */
import { definePlacement } from "memarena";
import { slideCompaction } from "./compaction";

export default definePlacement({
  name: "placement-best-fit",
  description: "The smallest hole that is big enough; sliding compaction around pinned segments.",
  create() {
    return {
      choose(holes, size) {
        let chosen = -1;
        holes.forEach((hole, i) => {
          if (hole.size >= size && (chosen < 0 || hole.size < holes[chosen].size)) chosen = i;
        });
        return chosen;
      },
      compact: slideCompaction,
    };
  },
});
