/**
 * A bump allocator over the frames that never reuses anything and hands out
 * huge-page runs at whatever frame comes next — not aligned to 512 frames,
 * so they cannot be mapped by one 2 MiB page-table entry.
 * @expect alignment
 */
import { defineFrameAllocator } from "memarena";

export default defineFrameAllocator({
  name: "unaligned-huge",
  create(frames) {
    let next = 1;
    return {
      alloc(order) {
        const n = 2 ** order;
        if (next + n > frames.count) return -1;
        const first = next;
        next += n;
        return first;
      },
      free: () => undefined,
    };
  },
});
