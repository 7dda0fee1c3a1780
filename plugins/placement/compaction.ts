/**
 * Sliding compaction shared by the placement policies (a relative module,
 * not a plugin).
 *
 * Idea: pinned segments (DMA in flight: a device holds their physical
 * address) never move, so they cut memory into intervals. Inside each
 * interval, unpinned segments slide down in address order until they touch
 * the previous one, as a sliding (Lisp-2 style) compactor packs objects. Then
 * the free tail of that interval, just below a pinned segment, is back-filled
 * with later segments that fit in it (first fit, in address order), so free
 * space collects at the top instead of staying trapped below pinned ones.
 *
 * Bytes moved: a segment already where it would go is not moved at all, and
 * nothing moves upward; back-filling moves a segment once, straight to its
 * final place.
 *
 * Order: moves are returned so that applying them one after another never
 * writes over a segment that has not moved yet: each interval is finished
 * (packed, then back-filled) before the next one, a slide only moves a
 * segment down over free space or over itself (memmove), and a back-fill
 * lands in an interval's free tail.
 *
 * Memory is the span from the lowest to the highest address any segment or
 * hole covers. Cost: O(n log n + n * intervals) for n segments.
 */
import type { Hole, Move, Segment } from "memarena";

/** The moves that compact `segments`, never moving a pinned one. */
export function slideCompaction(segments: readonly Segment[], holes: readonly Hole[]): Move[] {
  const all = [...segments, ...holes];
  if (all.length === 0) return [];
  const memoryEnd = Math.max(...all.map((r) => r.base + r.size));
  const memoryStart = Math.min(...all.map((r) => r.base));
  const sorted = [...segments].sort((a, b) => a.base - b.base);

  // The intervals between pinned segments, each with a packing cursor.
  const intervals: { end: number; cursor: number; members: Segment[] }[] = [];
  let start = memoryStart;
  for (const seg of sorted.filter((s) => s.pinned)) {
    intervals.push({ end: seg.base, cursor: start, members: [] });
    start = seg.base + seg.size;
  }
  intervals.push({ end: memoryEnd, cursor: start, members: [] });
  let at = 0;
  for (const seg of sorted) {
    if (seg.pinned) {
      at++;
      continue;
    }
    intervals[at].members.push(seg);
  }

  const moves: Move[] = [];
  const placed = new Set<number>();
  const place = (seg: Segment, interval: { cursor: number }): void => {
    if (seg.base !== interval.cursor) moves.push({ pid: seg.pid, to: interval.cursor });
    interval.cursor += seg.size;
    placed.add(seg.pid);
  };

  intervals.forEach((interval, i) => {
    for (const seg of interval.members) {
      if (!placed.has(seg.pid)) place(seg, interval);
    }
    for (const later of intervals.slice(i + 1)) {
      for (const seg of later.members) {
        if (!placed.has(seg.pid) && seg.size <= interval.end - interval.cursor) place(seg, interval);
      }
    }
  });
  return moves;
}
