/**
 * The implicit free list with boundary tags (CS:APP 9.9), shared by the
 * `first-fit` and `next-fit` plugins. Read this file for the mechanics; the
 * plugin files only pick the search policy.
 *
 * Heap layout (H = header bytes, 4 or 8; A = alignment):
 *
 *   [pad][prologue hdr|ftr][blk hdr | payload ... | ftr][blk ...] ... [epilogue hdr]
 *                           ^ bp                         payload = bp + H, aligned to A
 *
 * Every block has a header and a footer word holding `size | allocated`;
 * sizes are multiples of A, so the low 3 bits are free for the flag. The
 * blocks tile the heap, so walking from the prologue by sizes visits every
 * block: the free list is *implicit*. The footer lets `free` find the block
 * before it in O(1) and merge with it (immediate coalescing). The prologue is
 * a tiny allocated block and the epilogue a size-0 allocated header, so the
 * merge code never tests for the heap's edges.
 *
 * State outside simulated memory: registers[0] = prologue address (0 means
 * "not initialised yet"), registers[1] = the next-fit rover. The epilogue is
 * always at heapEnd - H, because only this allocator moves the break.
 */
import type { Allocator, Heap } from "memarena";

/** How the free block is chosen. */
export type ImplicitFit = "first" | "next";

/** Options of the implicit-list allocators. */
export interface ImplicitListOptions {
  /** First fit scans from the heap start; next fit resumes where the last search stopped. */
  readonly fit: ImplicitFit;
  /** Header/footer word size: 4 (blocks < 4 GiB) or 8. Default 8. */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment; default heap.alignment. */
  readonly alignment?: number;
}

const ALLOCATED = 1;
const FLAG_MASK = 7;
const REG_PROLOGUE = 0;
const REG_ROVER = 1;

/** Makes the `create(heap)` of an implicit-list allocator. */
export function makeImplicitList(options: ImplicitListOptions): (heap: Heap) => Allocator {
  return (heap) => {
    const H = options.headerBytes ?? 8;
    const A = options.alignment ?? heap.alignment;
    const regs = heap.registers;
    const getw = H === 4 ? (addr: number) => heap.load32(addr) : (addr: number) => heap.load64(addr);
    const putw = H === 4 ? (addr: number, v: number) => heap.store32(addr, v) : (addr: number, v: number) => heap.store64(addr, v);
    /** The smallest block that holds a 1-byte payload; smaller remainders are not split off. */
    const minBlock = roundUp(2 * H + 1, A);

    const sizeOf = (bp: number): number => withoutFlags(getw(bp));
    const isAllocated = (bp: number): boolean => (getw(bp) & ALLOCATED) !== 0;
    const nextBlock = (bp: number): number => bp + sizeOf(bp);
    const prevBlock = (bp: number): number => bp - withoutFlags(getw(bp - H));
    const epilogue = (): number => heap.heapEnd - H;

    function setBlock(bp: number, size: number, allocated: boolean): void {
      const word = size + (allocated ? ALLOCATED : 0);
      putw(bp, word);
      putw(bp + size - H, word);
    }

    /** Block size for a request: room for header, footer and payload, rounded to A. */
    function adjust(size: number): number {
      return Math.max(minBlock, roundUp(size + 2 * H, A));
    }

    function init(): void {
      let prologue = heap.heapStart;
      while ((prologue + 3 * H) % A !== 0) prologue += H;
      if (heap.sbrk(prologue + 3 * H - heap.heapStart) < 0) throw new Error("implicit list: no room for the prologue");
      setBlock(prologue, 2 * H, true);
      putw(prologue + 2 * H, 0 | ALLOCATED);
      regs[REG_PROLOGUE] = prologue;
      regs[REG_ROVER] = prologue + 2 * H;
    }

    /** After a merge over [lo, hi), keeps the rover on a block boundary. */
    function fixRover(lo: number, hi: number): void {
      const rover = regs[REG_ROVER];
      if (rover > lo && rover < hi) regs[REG_ROVER] = lo;
    }

    /** Merges the free block `bp` with free neighbours; returns the merged block. */
    function coalesce(bp: number): number {
      let size = sizeOf(bp);
      let start = bp;
      const next = nextBlock(bp);
      if (!isAllocated(next)) size += sizeOf(next);
      if (!isAllocated(bp - H)) {
        start = prevBlock(bp);
        size += sizeOf(start);
      }
      setBlock(start, size, false);
      fixRover(start, start + size);
      return start;
    }

    /** Allocates `asize` bytes at the front of block `bp` and frees the remainder if it is big enough. */
    function place(bp: number, asize: number): void {
      const csize = sizeOf(bp);
      if (csize - asize >= minBlock) {
        setBlock(bp, asize, true);
        setBlock(bp + asize, csize - asize, false);
        coalesce(bp + asize);
      } else {
        setBlock(bp, csize, true);
      }
    }

    /** Walks blocks from `from` up to `to` (or the epilogue); one header load per block. */
    function scan(from: number, to: number, asize: number): number {
      for (let bp = from; bp !== to; ) {
        const word = getw(bp);
        const size = withoutFlags(word);
        if (size === 0) return 0;
        if ((word & ALLOCATED) === 0 && size >= asize) return bp;
        bp += size;
      }
      return 0;
    }

    function findFit(asize: number): number {
      const first = regs[REG_PROLOGUE] + 2 * H;
      if (options.fit === "first") return scan(first, -1, asize);
      const rover = regs[REG_ROVER];
      return scan(rover, -1, asize) || scan(first, rover, asize);
    }

    /** Grows the heap so that a free block of `asize` bytes ends it; returns that block or 0. */
    function extend(asize: number): number {
      const epi = epilogue();
      const lastFree = !isAllocated(epi - H);
      const need = lastFree ? asize - sizeOf(prevBlock(epi)) : asize;
      if (heap.sbrk(need) < 0) return 0;
      setBlock(epi, need, false);
      putw(epilogue(), 0 | ALLOCATED);
      return coalesce(epi);
    }

    function malloc(size: number): number {
      if (size <= 0) return 0;
      if (regs[REG_PROLOGUE] === 0) init();
      const asize = adjust(size);
      const bp = findFit(asize) || extend(asize);
      if (bp === 0) return 0;
      place(bp, asize);
      if (options.fit === "next") regs[REG_ROVER] = nextBlock(bp);
      return bp + H;
    }

    function free(ptr: number): void {
      if (ptr === 0) return;
      const bp = ptr - H;
      setBlock(bp, sizeOf(bp), false);
      coalesce(bp);
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
      const next = nextBlock(bp);
      if (asize <= csize) {
        place(bp, asize);
        return ptr;
      }
      if (!isAllocated(next) && csize + sizeOf(next) >= asize) {
        setBlock(bp, csize + sizeOf(next), true);
        fixRover(bp, nextBlock(bp));
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

/** Rounds `value` up to a multiple of `granule`. */
export /** The size in a header or footer word: the word without its flag bits. */
function withoutFlags(word: number): number {
  return word - (word & FLAG_MASK);
}

function roundUp(value: number, granule: number): number {
  return Math.ceil(value / granule) * granule;
}
