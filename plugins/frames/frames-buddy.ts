/**
 * frames-buddy — the binary buddy allocator for physical frames, as in the
 * Linux page allocator (free_area[order]).
 *
 * Idea: free memory is kept as blocks of 2^k frames, each naturally aligned
 * (its first frame number is a multiple of 2^k), one free list per order.
 * alloc(order) pops a block of that order, or splits the smallest larger one
 * in halves, pushing the unused halves on the lower lists. free(frame, order)
 * merges the block with its buddy — `frame XOR 2^order` — while the buddy is
 * free and whole, climbing one order per merge.
 *
 * Why it keeps large runs: small allocations are carved out of the smallest
 * block that can serve them, so they stay clustered in already-split blocks,
 * and a freed frame re-forms its 2 MiB block as soon as its 511 neighbours
 * are free again. Huge pages (order 9 with 4 KiB frames) need exactly that.
 *
 * Trade-off: alloc and free are O(maxOrder); a block's buddy must be free
 * *and* whole to merge, so two free neighbours that are not buddies stay
 * apart. Requests are powers of two only.
 *
 * State: typed arrays made here, sized by the frame count — per-frame list
 * links and "head of a free block of order k" marks, and a list head per
 * order. Memory not a multiple of the top block size is carved into the
 * largest aligned blocks that fit.
 */
import { defineFrameAllocator } from "memarena";

const NONE = -1;

export default defineFrameAllocator({
  name: "frames-buddy",
  description: "Binary buddy allocator over physical frames: free lists per order, split on alloc, merge buddies on free.",
  create(frames) {
    const count = frames.count;
    const top = frames.maxOrder;
    /** freeOrder[f] = k when a free block of order k starts at frame f, else NONE. */
    const freeOrder = new Int8Array(count).fill(NONE);
    const next = new Int32Array(count).fill(NONE);
    const prev = new Int32Array(count).fill(NONE);
    const heads = new Int32Array(top + 1).fill(NONE);

    function push(frame: number, order: number): void {
      freeOrder[frame] = order;
      prev[frame] = NONE;
      next[frame] = heads[order];
      if (heads[order] !== NONE) prev[heads[order]] = frame;
      heads[order] = frame;
    }

    function unlink(frame: number): void {
      const order = freeOrder[frame];
      if (prev[frame] !== NONE) next[prev[frame]] = next[frame];
      else heads[order] = next[frame];
      if (next[frame] !== NONE) prev[next[frame]] = prev[frame];
      freeOrder[frame] = NONE;
    }

    // Carve all memory into the largest naturally aligned blocks that fit.
    for (let frame = 0; frame < count; ) {
      let order = top;
      while (frame % 2 ** order !== 0 || frame + 2 ** order > count) order--;
      push(frame, order);
      frame += 2 ** order;
    }

    return {
      alloc(order) {
        if (!Number.isInteger(order) || order < 0 || order > top) return -1;
        let k = order;
        while (k <= top && heads[k] === NONE) k++;
        if (k > top) return -1;
        const frame = heads[k];
        unlink(frame);
        while (k > order) {
          k--;
          push(frame + 2 ** k, k);
        }
        return frame;
      },

      free(frame, order) {
        if (frame < 0 || frame + 2 ** order > count || frame % 2 ** order !== 0) {
          throw new Error(`frames-buddy: free of a bad block (frame ${frame}, order ${order})`);
        }
        if (freeOrder[frame] !== NONE) throw new Error(`frames-buddy: double free of frame ${frame}`);
        while (order < top) {
          const buddy = frame ^ (2 ** order);
          if (buddy + 2 ** order > count || freeOrder[buddy] !== order) break;
          unlink(buddy);
          frame = Math.min(frame, buddy);
          order++;
        }
        push(frame, order);
      },
    };
  },
});
