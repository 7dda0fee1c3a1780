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
  /**
   * Address order: the blocks in slots [head, tail) of `blocks`, ascending by
   * payload address, each block's address in the same slot of `starts`.
   * Removing the lowest block moves `head` and adding above the highest moves
   * `tail` (heaps grow upwards and often free in allocation order), so the
   * common cases shift nothing; elsewhere the shorter side shifts by one.
   */
  private starts = new Float64Array(64);
  private blocks: (LiveBlock | undefined)[] = new Array<LiveBlock | undefined>(64).fill(undefined);
  private head = 0;
  private tail = 0;
  /** Sum of live payload bytes. */
  liveBytes = 0;

  /** Number of live blocks. */
  get count(): number {
    return this.tail - this.head;
  }

  /** The live block with this id, if any. */
  get(id: number): LiveBlock | undefined {
    return this.byId.get(id);
  }

  /** Blocks in address order (a copy). */
  inAddressOrder(): readonly LiveBlock[] {
    return this.blocks.slice(this.head, this.tail) as LiveBlock[];
  }

  /** Slot of the first block whose start is >= addr (tail when none). */
  private lowerBound(addr: number): number {
    let lo = this.head;
    let hi = this.tail;
    const starts = this.starts;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < addr) lo = mid + 1;
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
    if (i < this.tail && this.starts[i] < end) return this.blocks[i];
    // The block starting before ptr overlaps if it ends after ptr.
    if (i > this.head) {
      const prev = this.blocks[i - 1]!;
      if (prev.ptr + Math.max(prev.size, 1) > ptr) return prev;
    }
    return undefined;
  }

  /** Adds a block (the caller has checked it overlaps nothing). */
  add(block: LiveBlock): void {
    const ptr = block.ptr;
    let i = this.lowerBound(ptr);
    const starts = this.starts;
    const blocks = this.blocks;
    if (i < this.tail && this.head > 0 && i - this.head < this.tail - i) {
      // Nearer the low end, with room below: shift [head, i) down one slot.
      const h = this.head - 1;
      starts.copyWithin(h, h + 1, i);
      for (let j = h; j < i - 1; j++) blocks[j] = blocks[j + 1];
      this.head = h;
      i--;
    } else {
      if (this.tail === starts.length) {
        i -= this.head;
        this.makeRoom();
        return this.insertAt(i, block);
      }
      if (i < this.tail) {
        starts.copyWithin(i + 1, i, this.tail);
        for (let j = this.tail; j > i; j--) blocks[j] = blocks[j - 1];
      }
      this.tail++;
    }
    starts[i] = ptr;
    blocks[i] = block;
    this.byId.set(block.id, block);
    this.liveBytes += block.size;
  }

  /** add() after makeRoom(): slot `i` (from head) and above shift up by one. */
  private insertAt(i: number, block: LiveBlock): void {
    const at = this.head + i;
    if (at < this.tail) {
      this.starts.copyWithin(at + 1, at, this.tail);
      for (let j = this.tail; j > at; j--) this.blocks[j] = this.blocks[j - 1];
    }
    this.tail++;
    this.starts[at] = block.ptr;
    this.blocks[at] = block;
    this.byId.set(block.id, block);
    this.liveBytes += block.size;
  }

  /** Moves the blocks down to slot 0, growing the slots when they are more than a quarter full. */
  private makeRoom(): void {
    const n = this.tail - this.head;
    const capacity = n * 4 > this.starts.length ? this.starts.length * 2 : this.starts.length;
    const starts = capacity === this.starts.length ? this.starts : new Float64Array(capacity);
    if (starts === this.starts) starts.copyWithin(0, this.head, this.tail);
    else starts.set(this.starts.subarray(this.head, this.tail));
    const blocks = capacity === this.blocks.length ? this.blocks : new Array<LiveBlock | undefined>(capacity).fill(undefined);
    for (let j = 0; j < n; j++) blocks[j] = this.blocks[this.head + j];
    for (let j = n; j < this.tail; j++) blocks[j] = undefined;
    this.starts = starts;
    this.blocks = blocks;
    this.head = 0;
    this.tail = n;
  }

  /** Removes a block by id; returns it. */
  remove(id: number): LiveBlock | undefined {
    const block = this.byId.get(id);
    if (!block) return undefined;
    this.byId.delete(id);
    let i = this.lowerBound(block.ptr);
    const blocks = this.blocks;
    while (blocks[i] !== block) i++;
    if (i - this.head < this.tail - 1 - i) {
      // Nearer the low end: shift [head, i) up one slot.
      const h = this.head;
      this.starts.copyWithin(h + 1, h, i);
      for (let j = i; j > h; j--) blocks[j] = blocks[j - 1];
      blocks[h] = undefined;
      this.head = h + 1;
    } else {
      const t = this.tail - 1;
      this.starts.copyWithin(i, i + 1, this.tail);
      for (let j = i; j < t; j++) blocks[j] = blocks[j + 1];
      blocks[t] = undefined;
      this.tail = t;
    }
    if (this.head === this.tail) this.head = this.tail = 0;
    this.liveBytes -= block.size;
    return block;
  }

  /** Largest gap and total of gaps between consecutive live payloads inside [lo, hi). */
  gaps(lo: number, hi: number): { largest: number; total: number } {
    let largest = 0;
    let total = 0;
    let cursor = lo;
    for (let i = this.head; i < this.tail; i++) {
      const b = this.blocks[i]!;
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
