/**
 * Places like first fit, but its compaction slides every segment to
 * address 0, on top of each other.
 * @expect overlap
 */
import { definePlacement } from "memarena";

export default definePlacement({
  name: "compact-onto-neighbour",
  create: () => ({
    choose: (holes, size) => holes.findIndex((h) => h.size >= size),
    compact: (segments) => segments.filter((s) => s.base !== 0).map((s) => ({ pid: s.pid, to: 0 })),
  }),
});
