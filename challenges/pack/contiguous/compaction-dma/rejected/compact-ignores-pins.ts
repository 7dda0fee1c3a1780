/**
 * First fit whose compaction slides every segment down to close the holes —
 * pinned ones included. The device still holds the old physical address of
 * the pinned segment, so its next transfer lands in someone else's memory.
 * @expect dmaCorruption
 */
import { definePlacement } from "memarena";

export default definePlacement({
  name: "compact-ignores-pins",
  create: () => ({
    choose: (holes, size) => holes.findIndex((h) => h.size >= size),
    compact(segments) {
      const moves: { pid: number; to: number }[] = [];
      let cursor = 0;
      for (const s of [...segments].sort((a, b) => a.base - b.base)) {
        if (s.base !== cursor) moves.push({ pid: s.pid, to: cursor });
        cursor += s.size;
      }
      return moves;
    },
  }),
});
