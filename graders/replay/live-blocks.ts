/**
 * The grader's own record of live blocks: the truth the allocator's answers
 * are checked against. Blocks are kept sorted by payload address so that an
 * overlap test is a true interval test (binary search, then the neighbours),
 * not a comparison of endpoints.
 */

/** A live block as the grader sees it. */
export interface LiveBlock {
  /** The workload's id for the block. */
  readonly id: number;
  /** Payload address returned by the allocator. */
  readonly ptr: number;
  /** Requested size in bytes. */
  readonly size: number;
  /** Seed of the bytes the grader wrote into the payload. */
  patternSeed: number;
  /** Op index that allocated (or last reallocated) it. */
  readonly op: number;
}

/** Live blocks by id and by address. */
export class LiveBlocks {
  private readonly byId = new Map<number, LiveBlock>();
  /** Payload addresses, ascending; `sorted[i]` is the block at `starts[i]`. */
  private starts: number[] = [];
  private sorted: LiveBlock[] = [];
  /** Sum of live payload bytes. */
  liveBytes = 0;

  /** Number of live blocks. */
  get count(): number {
    return this.sorted.length;
  }

  /** The live block with this id, if any. */
  get(id: number): LiveBlock | undefined {
    return this.byId.get(id);
  }

  /** Blocks in address order (read-only view). */
  inAddressOrder(): readonly LiveBlock[] {
    return this.sorted;
  }

  /** Index of the first block whose start is >= addr. */
  private lowerBound(addr: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] < addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The live block sharing at least one byte with [ptr, ptr + size), or
   * undefined. A zero-size request occupies no bytes but still may not sit
   * strictly inside another block or on another block's address.
   */
  overlapping(ptr: number, size: number): LiveBlock | undefined {
    const end = ptr + Math.max(size, 1);
    const i = this.lowerBound(ptr);
    // The block starting at or after ptr overlaps if it starts before end.
    if (i < this.sorted.length && this.starts[i] < end) return this.sorted[i];
    // The block starting before ptr overlaps if it ends after ptr.
    if (i > 0) {
      const prev = this.sorted[i - 1];
      if (prev.ptr + Math.max(prev.size, 1) > ptr) return prev;
    }
    return undefined;
  }

  /** Adds a block (the caller has checked it overlaps nothing). */
  add(block: LiveBlock): void {
    const i = this.lowerBound(block.ptr);
    // Appending is the common case (heaps grow upwards); splice only in the middle.
    if (i === this.starts.length) {
      this.starts.push(block.ptr);
      this.sorted.push(block);
    } else {
      this.starts.splice(i, 0, block.ptr);
      this.sorted.splice(i, 0, block);
    }
    this.byId.set(block.id, block);
    this.liveBytes += block.size;
  }

  /** Removes a block by id; returns it. */
  remove(id: number): LiveBlock | undefined {
    const block = this.byId.get(id);
    if (!block) return undefined;
    this.byId.delete(id);
    let i = this.lowerBound(block.ptr);
    while (this.sorted[i] !== block) i++;
    // The ends without splice (which allocates the removed elements' array).
    if (i === 0) {
      this.starts.shift();
      this.sorted.shift();
    } else if (i === this.sorted.length - 1) {
      this.starts.pop();
      this.sorted.pop();
    } else {
      this.starts.splice(i, 1);
      this.sorted.splice(i, 1);
    }
    this.liveBytes -= block.size;
    return block;
  }

  /** Largest gap and total of gaps between consecutive live payloads inside [lo, hi). */
  gaps(lo: number, hi: number): { largest: number; total: number } {
    let largest = 0;
    let total = 0;
    let cursor = lo;
    for (const b of this.sorted) {
      if (b.ptr >= hi) break;
      if (b.ptr > cursor) {
        const g = b.ptr - cursor;
        total += g;
        if (g > largest) largest = g;
      }
      cursor = Math.max(cursor, b.ptr + b.size);
    }
    if (hi > cursor) {
      const g = hi - cursor;
      total += g;
      if (g > largest) largest = g;
    }
    return { largest, total };
  }
}
