/**
 * frames-free-list — a simple list of free frame runs, first fit: the
 * baseline that shows why kernels use a buddy allocator.
 *
 * Idea: free memory is a list of runs (first frame, length). The list is in
 * the order the runs were made free — the initial all-of-memory run first,
 * freed runs appended — and a run freed next to a free run merges with it.
 * alloc(order) walks the list and takes the first run that contains a
 * naturally aligned block of 2^order frames, splitting the run around it.
 *
 * Why it fragments: order-0 allocations keep chipping frames off the first
 * big run while freed frames wait at the back of the list, so over time
 * live frames are sprinkled across all of memory, and no aligned 2^9 run
 * (a 2 MiB huge page) survives even with half the memory free. The buddy
 * allocator (frames-buddy) reuses freed small blocks first and keeps whole
 * large blocks for large requests. Keeping the list sorted by address
 * ("address-ordered first fit") would fragment less, at an O(runs) insert.
 *
 * Complexity: alloc O(runs), free O(runs) (the neighbour search and the
 * array shifts). State: two Int32Arrays (run start, run length) sized for the
 * worst case of one run per two frames.
 */
import { defineFrameAllocator } from "memarena";

export default defineFrameAllocator({
  name: "frames-free-list",
  description: "A list of free frame runs in the order they were freed, first fit with aligned blocks; fragments.",
  create(frames) {
    const capacity = Math.floor(frames.count / 2) + 2;
    const starts = new Int32Array(capacity);
    const lengths = new Int32Array(capacity);
    let runs = 0;

    function insertAt(index: number, start: number, length: number): void {
      starts.copyWithin(index + 1, index, runs);
      lengths.copyWithin(index + 1, index, runs);
      starts[index] = start;
      lengths[index] = length;
      runs++;
    }

    function removeAt(index: number): void {
      starts.copyWithin(index, index + 1, runs);
      lengths.copyWithin(index, index + 1, runs);
      runs--;
    }

    if (frames.count > 0) insertAt(0, 0, frames.count);

    return {
      alloc(order) {
        if (!Number.isInteger(order) || order < 0) return -1;
        const size = 2 ** order;
        for (let i = 0; i < runs; i++) {
          const start = starts[i];
          const end = start + lengths[i];
          const block = Math.ceil(start / size) * size;
          if (block + size > end) continue;
          // Keep the part below the block in place; the part above follows it.
          removeAt(i);
          let at = i;
          if (block > start) insertAt(at++, start, block - start);
          if (end > block + size) insertAt(at, block + size, end - block - size);
          return block;
        }
        return -1;
      },

      free(frame, order) {
        const size = 2 ** order;
        if (frame < 0 || frame + size > frames.count || frame % size !== 0) {
          throw new Error(`frames-free-list: free of a bad block (frame ${frame}, order ${order})`);
        }
        let start = frame;
        let end = frame + size;
        let below = -1;
        let above = -1;
        for (let i = 0; i < runs; i++) {
          const runEnd = starts[i] + lengths[i];
          if (starts[i] < end && start < runEnd) throw new Error(`frames-free-list: double free of frame ${frame}`);
          if (runEnd === start) below = i;
          if (starts[i] === end) above = i;
        }
        if (below >= 0) start = starts[below];
        if (above >= 0) end = starts[above] + lengths[above];
        if (below >= 0) {
          // Grow the run below in place; drop the run above if it merged too.
          lengths[below] = end - start;
          if (above >= 0) removeAt(above);
        } else if (above >= 0) {
          starts[above] = start;
          lengths[above] = end - start;
        } else {
          insertAt(runs, start, end - start);
        }
      },
    };
  },
});
