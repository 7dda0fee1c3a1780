/**
 * Keeps a stack of free single frames and pushes a freed huge run's first
 * frame only — then hands the same frames out again as part of a later run
 * while they are still in use.
 * @expect overlap
 */
import { defineFrameAllocator } from "memarena";

export default defineFrameAllocator({
  name: "double-hand-out",
  create(frames) {
    const hugeFrames = 2 ** frames.maxOrder;
    let next = 0;
    const freed: number[] = [];
    return {
      alloc(order) {
        const n = 2 ** order;
        if (order === 0 && freed.length > 0) return freed.pop()!;
        const first = Math.ceil(next / n) * n;
        if (first + n > frames.count) return -1;
        next = first + n;
        return first;
      },
      free(frame, order) {
        // Wrong: a freed huge run goes back as single frames AND its start is reused for a huge run below.
        if (order > 0) {
          for (let f = frame; f < frame + hugeFrames; f += 1) freed.push(f);
          next = Math.min(next, frame);
        } else freed.push(frame);
      },
    };
  },
});
