/**
 * The explicit free list with boundary tags, shared by the `best-fit` and
 * `worst-fit` plugins; they differ only in which free block `findFit` picks.
 *
 * Block layout (H = header bytes, 4 or 8; A = alignment; links are 8-byte
 * addresses stored inside the free block's payload):
 *
 *   allocated:  [hdr size|1][payload ...                      ][ftr size|1]
 *   free:       [hdr size|0][next free][prev free][ ...unused ][ftr size|0]
 *
 * Only free blocks are on the list, so a search visits free blocks only — it
 * no longer steps over allocated ones as the implicit list does. The price is
 * a larger minimum block (the links must fit when the block is freed) and a
 * little list surgery on every split and merge. Free blocks are pushed at the
 * head (LIFO): O(1) insert; the fit policy, not the list order, decides.
 *
 * Heap layout: [pad][prologue hdr|ftr][blocks ...][epilogue hdr], as in
 * `implicit-list.ts`. State outside simulated memory: registers[0] = the
 * prologue address (0 = not initialised), registers[1] = the list head
 * (0 = empty). The epilogue is always at heapEnd - H.
 */
import type { Allocator, Heap } from "memarena";

/** Which free block to take among those big enough. */
export type ExplicitFit = "best" | "worst";

/** Options of the explicit-list allocators. */
export interface ExplicitListOptions {
  /** best: the smallest block that fits; worst: the largest block. */
  readonly fit: ExplicitFit;
  /** Header/footer word size: 4 or 8 (default 8). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
}

const ALLOCATED = 1;
const FLAG_MASK = 7;
const LINK = 8;
const REG_PROLOGUE = 0;
const REG_HEAD = 1;

/** Makes the `create(heap)` of an explicit-list allocator. */
export function makeExplicitList(options: ExplicitListOptions): (heap: Heap) => Allocator {
  return (heap) => {
    const H = options.headerBytes ?? 8;
    const A = options.alignment ?? heap.alignment;
    const regs = heap.registers;
    const getw = H === 4 ? (addr: number) => heap.load32(addr) : (addr: number) => heap.load64(addr);
    const putw = H === 4 ? (addr: number, v: number) => heap.store32(addr, v) : (addr: number, v: number) => heap.store64(addr, v);
    /** Smallest block: header, two links, footer. */
    const minBlock = roundUp(2 * H + 2 * LINK, A);

    const sizeOf = (bp: number): number => withoutFlags(getw(bp));
    const isAllocated = (bp: number): boolean => (getw(bp) & ALLOCATED) !== 0;
    const nextBlock = (bp: number): number => bp + sizeOf(bp);
    const prevBlock = (bp: number): number => bp - withoutFlags(getw(bp - H));
    const epilogue = (): number => heap.heapEnd - H;
    const nextFree = (bp: number): number => heap.load64(bp + H);
    const prevFree = (bp: number): number => heap.load64(bp + H + LINK);

    function setBlock(bp: number, size: number, allocated: boolean): void {
      const word = size + (allocated ? ALLOCATED : 0);
      putw(bp, word);
      putw(bp + size - H, word);
    }

    function adjust(size: number): number {
      return Math.max(minBlock, roundUp(size + 2 * H, A));
    }

    function insert(bp: number): void {
      const head = regs[REG_HEAD];
      heap.store64(bp + H, head);
      heap.store64(bp + H + LINK, 0);
      if (head !== 0) heap.store64(head + H + LINK, bp);
      regs[REG_HEAD] = bp;
    }

    function remove(bp: number): void {
      const next = nextFree(bp);
      const prev = prevFree(bp);
      if (prev === 0) regs[REG_HEAD] = next;
      else heap.store64(prev + H, next);
      if (next !== 0) heap.store64(next + H + LINK, prev);
    }

    function init(): void {
      let prologue = heap.heapStart;
      while ((prologue + 3 * H) % A !== 0) prologue += H;
      if (heap.sbrk(prologue + 3 * H - heap.heapStart) < 0) throw new Error("explicit list: no room for the prologue");
      setBlock(prologue, 2 * H, true);
      putw(prologue + 2 * H, 0 | ALLOCATED);
      regs[REG_PROLOGUE] = prologue;
      regs[REG_HEAD] = 0;
    }

    /** Marks `bp` free, merges it with free neighbours and puts the result on the list. */
    function release(bp: number, size: number): void {
      let start = bp;
      let total = size;
      const next = bp + size;
      if (!isAllocated(next)) {
        remove(next);
        total += sizeOf(next);
      }
      if (!isAllocated(bp - H)) {
        start = prevBlock(bp);
        remove(start);
        total += sizeOf(start);
      }
      setBlock(start, total, false);
      insert(start);
    }

    /** Takes `asize` bytes at the front of the (off-list) block `bp`; frees a big enough remainder. */
    function place(bp: number, asize: number): void {
      const csize = sizeOf(bp);
      if (csize - asize >= minBlock) {
        setBlock(bp, asize, true);
        release(bp + asize, csize - asize);
      } else {
        setBlock(bp, csize, true);
      }
    }

    function findFit(asize: number): number {
      let chosen = 0;
      let chosenSize = options.fit === "best" ? Infinity : -1;
      for (let bp = regs[REG_HEAD]; bp !== 0; bp = nextFree(bp)) {
        const size = sizeOf(bp);
        if (size < asize) continue;
        if (options.fit === "best" ? size < chosenSize : size > chosenSize) {
          chosen = bp;
          chosenSize = size;
          if (options.fit === "best" && size === asize) break;
        }
      }
      return chosen;
    }

    /** Grows the heap so a free block of at least `asize` ends it; returns it, off the list, or 0. */
    function extend(asize: number): number {
      const epi = epilogue();
      const last = isAllocated(epi - H) ? 0 : prevBlock(epi);
      const need = last ? asize - sizeOf(last) : asize;
      if (heap.sbrk(need) < 0) return 0;
      putw(epilogue(), 0 | ALLOCATED);
      if (!last) {
        setBlock(epi, need, false);
        return epi;
      }
      remove(last);
      setBlock(last, sizeOf(last) + need, false);
      return last;
    }

    function malloc(size: number): number {
      if (size <= 0) return 0;
      if (regs[REG_PROLOGUE] === 0) init();
      const asize = adjust(size);
      let bp = findFit(asize);
      if (bp !== 0) remove(bp);
      else bp = extend(asize);
      if (bp === 0) return 0;
      place(bp, asize);
      return bp + H;
    }

    function free(ptr: number): void {
      if (ptr === 0) return;
      const bp = ptr - H;
      release(bp, sizeOf(bp));
    }

    function realloc(ptr: number, size: number): number {
      if (ptr === 0) return malloc(size);
      if (size <= 0) {
        free(ptr);
        return 0;
      }
      const bp = ptr - H;
      const asize = adjust(size);
      const csize = sizeOf(bp);
      if (asize <= csize) {
        place(bp, asize);
        return ptr;
      }
      const next = bp + csize;
      if (!isAllocated(next) && csize + sizeOf(next) >= asize) {
        remove(next);
        setBlock(bp, csize + sizeOf(next), true);
        place(bp, asize);
        return ptr;
      }
      const newPtr = malloc(size);
      if (newPtr === 0) return 0;
      heap.copy(newPtr, ptr, Math.min(csize - 2 * H, size));
      free(ptr);
      return newPtr;
    }

    /** Payload bytes of the block: its size minus header and footer. */
    function usableSize(ptr: number): number {
      return sizeOf(ptr - H) - 2 * H;
    }

    return { init, malloc, free, realloc, usableSize };
  };
}

/** The size in a header or footer word: the word without its flag bits. */
function withoutFlags(word: number): number {
  return word - (word & FLAG_MASK);
}

function roundUp(value: number, granule: number): number {
  return Math.ceil(value / granule) * granule;
}
