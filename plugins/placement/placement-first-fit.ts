/**
 * placement-first-fit — contiguous (base/limit) placement: take the first
 * hole, in address order, that is big enough.
 *
 * Idea: the simplest policy; the search stops at the first fit.
 * Trade-off: fast on average, and it keeps the top of memory free for big
 * processes, but small leftovers pile up at low addresses and every search
 * walks past them. O(holes) per choice.
 * Shines: mixed sizes, low churn. Fails: many small leftovers near address 0.
 * compact(): the shared sliding compaction (see compaction.ts).
 */
import { definePlacement } from "memarena";
import { slideCompaction } from "./compaction";

export default definePlacement({
  name: "placement-first-fit",
  description: "The first hole in address order that is big enough; sliding compaction around pinned segments.",
  create() {
    return {
      choose(holes, size) {
        return holes.findIndex((hole) => hole.size >= size);
      },
      compact: slideCompaction,
    };
  },
});
