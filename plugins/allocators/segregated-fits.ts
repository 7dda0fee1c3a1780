/**
 * segregated-fits — one explicit free list per size class, boundary tags
 * without footers on allocated blocks, slabs for the smallest classes, and a
 * realloc that grows in place (in the heap, or in a mapping of its own).
 * This is the design of most real mallocs' small-object paths (dlmalloc's
 * bins, with its mmap threshold) and of good malloc-lab solutions.
 *
 * Idea:
 *  - Size classes: block sizes up to 512 bytes get a class per 16 bytes
 *    (exact with 16-byte alignment), larger ones a class per power of two.
 *    malloc looks for the best fit in the request's own class, then takes the
 *    head of the next non-empty class: a near-best fit without scanning every
 *    free block. The class roots are a table of 32-bit offsets at the start of
 *    the heap, in simulated memory.
 *  - "Previous allocated" bit: each header records whether the block before
 *    it is allocated. Only a free block needs a footer (so that its successor
 *    can find its start when merging), so allocated blocks carry one header
 *    word and no footer — less overhead on every live block.
 *  - Slabs keep small blocks apart from big ones: when a class of blocks up
 *    to 128 bytes runs dry, it is refilled with a run of blocks of its size
 *    carved at once (the top one is returned, the others listed free and left
 *    unmerged). Each refill is twice the last, up to 16 blocks; each free of a
 *    block of the class halves the next one, so only a class in steady demand
 *    gets big slabs. Small blocks then sit in runs, and freeing the big blocks
 *    allocated between them leaves long holes that merge (malloc-lab binary).
 *    The refill sizes are a second table after the roots.
 *  - The heap grows by exactly what is missing: if the last block is free,
 *    sbrk only the difference. realloc grows in place into a free successor,
 *    at the heap end (sbrk the difference), or backwards into a free
 *    predecessor (memmove down) before it falls back to malloc + copy + free.
 *  - Growing buffers get a mapping of their own: once realloc grows a block
 *    past `mapThreshold` (pageSize / 8 in the plugin), it moves to a fresh
 *    mmap region of whole pages, where it grows in place up to the page
 *    boundary and then moves to a bigger region (mmap, copy, munmap). Several
 *    buffers growing in turn then never strand holes in the heap; the heap
 *    keeps only the small blocks that used to land between them. The block's
 *    header (at the start of the mapping) holds the mapping's length and a
 *    MAPPED bit, so free and realloc need no other state.
 *  - A small request carved from a bigger free block takes its HIGH end, so
 *    the free rest stays next to the block before.
 *
 * Block layout (H = header bytes, 4 by default; links are 4-byte offsets from
 * the table, so the heap must stay below 4 GiB):
 *
 *   allocated: [hdr size|prevAlloc|1][payload ...................]
 *   free:      [hdr size|prevAlloc|0][next][prev][ ... ][ftr size]
 *   mapped:    [pad][hdr mapping length|MAPPED|prevAlloc|1][payload ...]
 *   header bits: bit 0 = allocated, bit 1 = previous block allocated,
 *   bit 2 = in its own mapping
 *
 * Heap: [class roots][slab refill sizes][pad][blocks ...][epilogue hdr size 0|prevAlloc|1]
 *
 * Complexity: malloc O(length of the own class list + number of classes)
 * plus O(slab size) for a refill, free O(1), realloc O(1) plus any copy (a
 * mapped buffer is copied once per page it outgrows: O(n²/pageSize) bytes
 * over its life, vs O(n) for pure in-place growth). State outside simulated
 * memory: registers[0] = table address (0 = not initialised).
 *
 * Shines: mixed sizes, churn, small/large pairs (malloc-lab binary: ~89%
 * instead of ~54%), several buffers growing by realloc between short-lived
 * blocks (~90% instead of ~59%). Trade-offs: a slab's unused blocks are
 * extent that a class may never use (a workload that allocates many blocks of
 * one small size and then switches size pays for it); a mapped buffer wastes
 * up to a page of its last one and pays an mmap, a copy and page faults for
 * every page it outgrows (more cycles than in-place growth at the heap end);
 * without paging mmap fails and realloc falls back to the heap strategies.
 *
 * malloc(0) returns 0. Options: `makeSegregatedFits({ headerBytes,
 * alignment, mapThreshold })`; `createSegregatedFits` (used by
 * huge-page-aware, which maps big blocks itself) leaves mappings off unless
 * asked.
 */
import { type Allocator, defineAllocator, type Heap } from "memarena";

/** Options of the segregated-fits allocator. */
export interface SegregatedFitsOptions {
  /** Header (and free-block footer) word size: 4 or 8 (default 4). */
  readonly headerBytes?: 4 | 8;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
  /**
   * A block that realloc grows to at least this many bytes moves to its own
   * mmap region (0 = never; default 0 here, 4 pages in the plugin).
   */
  readonly mapThreshold?: number;
}

const ALLOCATED = 1;
const PREV_ALLOCATED = 2;
const MAPPED = 4;
const FLAG_MASK = 7;
const LINK = 4;
const SMALL_LIMIT = 512;
const SMALL_STEP = 16;
const SMALL_CLASSES = SMALL_LIMIT / SMALL_STEP;
const CLASS_COUNT = SMALL_CLASSES + 23;
/** Classes refilled by slabs: blocks up to this size. */
const SLAB_LIMIT = 128;
const SLAB_CLASSES = SLAB_LIMIT / SMALL_STEP;
/** Most blocks one refill carves. */
const SLAB_MAX = 16;
const REG_TABLE = 0;

/** The size class of a block of `size` bytes. */
function classOf(size: number): number {
  if (size <= SMALL_LIMIT) return Math.ceil(size / SMALL_STEP) - 1;
  const log = Math.ceil(Math.log2(size));
  return Math.min(CLASS_COUNT - 1, SMALL_CLASSES + log - 10);
}

/** A segregated-fits allocator over `heap` (exported for `huge-page-aware.ts`). */
export function createSegregatedFits(heap: Heap, options: SegregatedFitsOptions = {}): Allocator {
  const H = options.headerBytes ?? 4;
  const A = options.alignment ?? heap.alignment;
  const regs = heap.registers;
  const getw = H === 4 ? (addr: number) => heap.load32(addr) : (addr: number) => heap.load64(addr);
  const putw = H === 4 ? (addr: number, v: number) => heap.store32(addr, v) : (addr: number, v: number) => heap.store64(addr, v);
  /** Smallest block: header, two links, footer (what a free block needs). */
  const minBlock = roundUp(2 * H + 2 * LINK, A);
  const mapThreshold = options.mapThreshold ?? 0;
  /** A mapped block's header sits this far into its mapping, so that the payload is aligned. */
  const mapOffset = roundUp(H, A) - H;

  const table = (): number => regs[REG_TABLE];
  const sizeOf = (bp: number): number => withoutFlags(getw(bp));
  const isAllocated = (bp: number): boolean => (getw(bp) & ALLOCATED) !== 0;
  const isPrevAllocated = (bp: number): boolean => (getw(bp) & PREV_ALLOCATED) !== 0;
  const isMapped = (bp: number): boolean => (getw(bp) & MAPPED) !== 0;
  const epilogue = (): number => heap.heapEnd - H;

  function setHeader(bp: number, size: number, allocated: boolean, prevAllocated: boolean): void {
    putw(bp, size + (allocated ? ALLOCATED : 0) + (prevAllocated ? PREV_ALLOCATED : 0));
  }

  /** Writes a free block: header and footer. */
  function setFree(bp: number, size: number, prevAllocated: boolean): void {
    setHeader(bp, size, false, prevAllocated);
    putw(bp + size - H, size);
  }

  function setPrevAllocated(bp: number, prevAllocated: boolean): void {
    const word = getw(bp);
    const flags = word & FLAG_MASK & ~PREV_ALLOCATED;
    putw(bp, withoutFlags(word) + flags + (prevAllocated ? PREV_ALLOCATED : 0));
  }

  // Links are offsets from the table (0 = none): blocks always lie above it.
  const toAddr = (offset: number): number => (offset === 0 ? 0 : table() + offset);
  const toOffset = (bp: number): number => (bp === 0 ? 0 : bp - table());
  const rootSlot = (cls: number): number => table() + cls * LINK;
  /** Per slab class: how many blocks its next refill carves (after the roots). */
  const refillSlot = (cls: number): number => table() + (CLASS_COUNT + cls) * LINK;
  const nextFree = (bp: number): number => toAddr(heap.load32(bp + H));
  const prevFree = (bp: number): number => toAddr(heap.load32(bp + H + LINK));

  function insert(bp: number): void {
    const slot = rootSlot(classOf(sizeOf(bp)));
    const head = toAddr(heap.load32(slot));
    heap.store32(bp + H, toOffset(head));
    heap.store32(bp + H + LINK, 0);
    if (head !== 0) heap.store32(head + H + LINK, toOffset(bp));
    heap.store32(slot, toOffset(bp));
  }

  function remove(bp: number): void {
    const next = nextFree(bp);
    const prev = prevFree(bp);
    if (prev === 0) heap.store32(rootSlot(classOf(sizeOf(bp))), toOffset(next));
    else heap.store32(prev + H, toOffset(next));
    if (next !== 0) heap.store32(next + H + LINK, toOffset(prev));
  }

  function init(): void {
    const tableAddr = roundUp(heap.heapStart, LINK);
    const words = CLASS_COUNT + SLAB_CLASSES;
    let first = tableAddr + words * LINK;
    while ((first + H) % A !== 0) first += LINK;
    if (heap.sbrk(first + H - heap.heapStart) < 0) throw new Error("segregated fits: no room for the class table");
    heap.fill(tableAddr, 0, words * LINK);
    regs[REG_TABLE] = tableAddr;
    setHeader(first, 0, true, true);
  }

  /** Block size for a request: header + payload rounded to A (no footer while allocated). */
  function adjust(size: number): number {
    return Math.max(minBlock, roundUp(size + H, A));
  }

  /** Frees [bp, bp + size), merges with free neighbours, lists the result. */
  function release(bp: number, size: number, prevAllocated: boolean): void {
    let start = bp;
    let total = size;
    let startPrevAllocated = prevAllocated;
    const next = bp + size;
    if (!isAllocated(next)) {
      remove(next);
      total += sizeOf(next);
    }
    if (!prevAllocated) {
      const prevSize = withoutFlags(getw(bp - H));
      start = bp - prevSize;
      remove(start);
      total += prevSize;
      startPrevAllocated = isPrevAllocated(start);
    }
    setFree(start, total, startPrevAllocated);
    insert(start);
    setPrevAllocated(start + total, false);
  }

  /** Makes the allocated block `bp` exactly `asize` bytes if the rest is big enough to stand alone. */
  function trim(bp: number, asize: number): void {
    const csize = sizeOf(bp);
    if (csize - asize < minBlock) return;
    setHeader(bp, asize, true, isPrevAllocated(bp));
    release(bp + asize, csize - asize, true);
  }

  /**
   * Allocates `asize` bytes from the off-list free block `bp`; returns the block.
   * A small request takes the HIGH end, so the free rest stays next to the
   * block before it — often a buffer that realloc will want to grow into.
   */
  function place(bp: number, asize: number): number {
    const csize = sizeOf(bp);
    const rest = csize - asize;
    if (asize <= SMALL_LIMIT && rest >= minBlock) {
      setFree(bp, rest, isPrevAllocated(bp));
      insert(bp);
      const block = bp + rest;
      setHeader(block, asize, true, false);
      setPrevAllocated(block + asize, true);
      return block;
    }
    setHeader(bp, csize, true, isPrevAllocated(bp));
    setPrevAllocated(bp + csize, true);
    trim(bp, asize);
    return bp;
  }

  /** The best fit in the class of `asize`, or 0. */
  function findInClass(asize: number): number {
    let best = 0;
    let bestSize = Infinity;
    for (let bp = toAddr(heap.load32(rootSlot(classOf(asize)))); bp !== 0; bp = nextFree(bp)) {
      const size = sizeOf(bp);
      if (size >= asize && size < bestSize) {
        best = bp;
        bestSize = size;
        if (size === asize) break;
      }
    }
    return best;
  }

  /** The head of the first non-empty class above the class of `asize`, or 0. */
  function findAbove(asize: number): number {
    for (let cls = classOf(asize) + 1; cls < CLASS_COUNT; cls++) {
      const head = toAddr(heap.load32(rootSlot(cls)));
      if (head !== 0) return head;
    }
    return 0;
  }

  function findFit(asize: number): number {
    return findInClass(asize) || findAbove(asize);
  }

  /**
   * Carves `count` blocks of `asize` bytes from the HIGH end of the off-list
   * free block `bp`: the top one is returned allocated, the others are listed
   * free in their class (a slab: left unmerged so that they stay that size).
   */
  function carve(bp: number, asize: number, count: number): number {
    const csize = sizeOf(bp);
    let rest = csize - count * asize;
    let at = bp;
    let prevAllocated = isPrevAllocated(bp);
    if (rest >= minBlock) {
      setFree(bp, rest, prevAllocated);
      insert(bp);
      at += rest;
      prevAllocated = false;
      rest = 0;
    }
    for (let k = 1; k < count; k++) {
      const size = k === 1 ? asize + rest : asize;
      setFree(at, size, prevAllocated);
      insert(at);
      at += size;
      prevAllocated = false;
    }
    const size = count === 1 ? asize + rest : asize;
    setHeader(at, size, true, prevAllocated);
    setPrevAllocated(at + size, true);
    return at;
  }

  /**
   * A slab class ran dry: carves a run of blocks of its size at once, twice as
   * many as last time (up to SLAB_MAX), so a class in demand gets neighbours
   * of its own size instead of being scattered between big blocks.
   */
  function refill(asize: number): number {
    const slot = refillSlot(classOf(asize));
    let count = Math.max(1, heap.load32(slot));
    heap.store32(slot, Math.min(SLAB_MAX, 2 * count));
    let bp = findFit(count * asize);
    if (bp === 0) {
      bp = findAbove(asize);
      if (bp !== 0) count = Math.max(1, Math.min(count, Math.floor(sizeOf(bp) / asize)));
    }
    if (bp !== 0) remove(bp);
    else bp = extend(count * asize);
    if (bp === 0) return 0;
    return carve(bp, asize, count);
  }

  /** The free last block, or 0 when the last block is allocated. */
  function lastFreeBlock(): number {
    const epi = epilogue();
    if (isPrevAllocated(epi)) return 0;
    return epi - withoutFlags(getw(epi - H));
  }

  /** Grows the heap so a free block of at least `asize` ends it; returns it, off the list, or 0. */
  function extend(asize: number): number {
    const epi = epilogue();
    const last = lastFreeBlock();
    const need = last ? asize - sizeOf(last) : asize;
    if (heap.sbrk(need) < 0) return 0;
    setHeader(epilogue(), 0, true, false);
    if (!last) {
      setFree(epi, need, true);
      return epi;
    }
    remove(last);
    setFree(last, sizeOf(last) + need, isPrevAllocated(last));
    return last;
  }

  /** Allocates a block of `asize` bytes, preferring a free block of at least `roomy` bytes. */
  function allocate(asize: number, roomy: number): number {
    if (asize <= SLAB_LIMIT) {
      let block = findInClass(asize);
      if (block !== 0) {
        remove(block);
        block = place(block, asize);
      } else block = refill(asize);
      return block === 0 ? 0 : block + H;
    }
    let bp = (roomy > asize && findFit(roomy)) || findFit(asize);
    if (bp !== 0) remove(bp);
    else bp = extend(asize);
    if (bp === 0) return 0;
    return place(bp, asize) + H;
  }

  function malloc(size: number): number {
    if (size <= 0) return 0;
    if (table() === 0) init();
    const asize = adjust(size);
    return allocate(asize, asize);
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    const bp = ptr - H;
    if (isMapped(bp)) {
      heap.munmap(bp - mapOffset, sizeOf(bp));
      return;
    }
    const size = sizeOf(bp);
    if (size <= SLAB_LIMIT) {
      // A class whose blocks come back needs smaller refills.
      const slot = refillSlot(classOf(size));
      heap.store32(slot, heap.load32(slot) >>> 1);
    }
    release(bp, size, isPrevAllocated(bp));
  }

  /** Tries to make block `bp` at least `asize` bytes without moving it. */
  function growInPlace(bp: number, asize: number): boolean {
    const csize = sizeOf(bp);
    if (asize <= csize) {
      trim(bp, asize);
      return true;
    }
    const next = bp + csize;
    const nextFreeSize = isAllocated(next) ? 0 : sizeOf(next);
    const available = csize + nextFreeSize;
    const atEnd = next + nextFreeSize === epilogue();
    if (available < asize && !atEnd) return false;
    // At the heap end: sbrk only the difference.
    if (available < asize && heap.sbrk(asize - available) < 0) return false;
    if (nextFreeSize > 0) remove(next);
    const total = Math.max(available, asize);
    setHeader(bp, total, true, isPrevAllocated(bp));
    if (available < asize) setHeader(epilogue(), 0, true, true);
    else setPrevAllocated(bp + total, true);
    trim(bp, asize);
    return true;
  }

  /** Tries to slide block `bp` down into a free predecessor (plus a free successor). */
  function growBackwards(bp: number, asize: number): number {
    if (isPrevAllocated(bp)) return 0;
    const csize = sizeOf(bp);
    const prevSize = withoutFlags(getw(bp - H));
    const next = bp + csize;
    const nextFreeSize = isAllocated(next) ? 0 : sizeOf(next);
    const total = prevSize + csize + nextFreeSize;
    if (total < asize) return 0;
    const start = bp - prevSize;
    remove(start);
    if (nextFreeSize > 0) remove(next);
    setHeader(start, total, true, isPrevAllocated(start));
    setPrevAllocated(start + total, true);
    heap.copy(start + H, bp + H, csize - H);
    trim(start, asize);
    return start;
  }

  function realloc(ptr: number, size: number): number {
    if (ptr === 0) return malloc(size);
    if (size <= 0) {
      free(ptr);
      return 0;
    }
    const bp = ptr - H;
    if (isMapped(bp)) {
      if (size <= usableSize(ptr)) return ptr;
      return moveToMapping(ptr, size);
    }
    const asize = adjust(size);
    if (mapThreshold > 0 && asize >= mapThreshold && asize > sizeOf(bp)) {
      const mapped = moveToMapping(ptr, size);
      if (mapped !== 0) return mapped;
    }
    if (growInPlace(bp, asize)) return ptr;
    const moved = growBackwards(bp, asize);
    if (moved !== 0) return moved + H;
    // A block that grew once will likely grow again: prefer a hole with room to spare after it.
    const newPtr = allocate(asize, asize + Math.floor(asize / 2));
    if (newPtr === 0) return 0;
    heap.copy(newPtr, ptr, Math.min(sizeOf(bp) - H, size));
    free(ptr);
    return newPtr;
  }

  /**
   * Moves a growing block to a fresh mapping of whole pages with room to grow
   * (an eighth more), where it grows in place until the mapping is full.
   * Its header records the mapping's length (a page multiple) and MAPPED.
   * Returns the new payload, or 0 (nothing changed) when mmap fails.
   */
  function moveToMapping(ptr: number, size: number): number {
    const length = roundUp(mapOffset + H + size, heap.pageSize);
    const base = heap.mmap(length);
    if (base < 0) return 0;
    const bp = base + mapOffset;
    putw(bp, length + MAPPED + ALLOCATED + PREV_ALLOCATED);
    heap.copy(bp + H, ptr, Math.min(usableSize(ptr), size));
    free(ptr);
    return bp + H;
  }

  /** Payload bytes of the block: its size minus the header (no footer while allocated). */
  function usableSize(ptr: number): number {
    const bp = ptr - H;
    return sizeOf(bp) - H - (isMapped(bp) ? mapOffset : 0);
  }

  return { init, malloc, free, realloc, usableSize };
}

/** A segregated-fits allocator plugin with the given options. */
export function makeSegregatedFits(options: SegregatedFitsOptions = {}) {
  return defineAllocator({
    name: "segregated-fits",
    description:
      "Size-class free lists, footers only on free blocks (prev-allocated bit), exact heap growth, in-place realloc.",
    create: (heap: Heap) => createSegregatedFits(heap, { mapThreshold: heap.pageSize / 8, ...options }),
  });
}

export default makeSegregatedFits();

/** The size in a header or footer word: the word without its flag bits. */
function withoutFlags(word: number): number {
  return word - (word & FLAG_MASK);
}

function roundUp(value: number, granule: number): number {
  return Math.ceil(value / granule) * granule;
}
