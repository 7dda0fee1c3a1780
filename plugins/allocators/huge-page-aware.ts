/**
 * huge-page-aware — small requests from a segregated-fits heap, large ones
 * from their own huge-page mapping, to cut TLB misses.
 *
 * Idea: a TLB entry for a 4 KiB page covers 4 KiB; one for a 2 MiB huge page
 * covers 512 times more. A program that streams through a few large arrays
 * misses in the TLB on every new 4 KiB page, and each miss is a page walk.
 * So requests of at least `threshold` bytes (default 256 KiB) get a private
 * `heap.mmap(length, { hugePage: true })` region: a 1 MiB array then costs one
 * TLB entry instead of 256. The block's metadata (mapped length and a magic
 * word) sits in a small header in the mapping itself, just before the
 * payload, so free/realloc know it without JS-side state; a pointer outside
 * [heapStart, heapEnd) is a mapped block.
 *
 * Fallbacks: when the huge-page mmap returns -1 (no huge pages, or no
 * contiguous frames left), map normal pages; when that fails too, serve the
 * request from the small heap.
 *
 * The cost: a huge page is all-or-nothing. A 300 KiB request mapped with one
 * 2 MiB page leaves ~1.7 MiB of it unused — internal fragmentation of 85%
 * that the memory metrics charge. The threshold is the knob: raise it
 * towards the huge page size and less is wasted but fewer arrays get the TLB
 * benefit. (An alternative design carves small blocks out of huge-page
 * arenas too; this one keeps the small heap on ordinary sbrk pages.)
 *
 * Complexity: as segregated-fits for small requests; one mmap/munmap per
 * large one. Shines: programs with a few big, long-lived, heavily scanned
 * buffers. Fails: many large, short-lived buffers (an mmap + munmap each,
 * and a 2 MiB footprint each).
 *
 * realloc of a mapped block stays in place while it fits its mapping and
 * stays at or above the threshold; a small block that grows past the
 * threshold stays in the small heap (segregated-fits grows it in place when
 * it can). malloc(0) returns 0.
 * Options: `makeHugePageAware({ threshold, alignment, headerBytes })`.
 */
import { type Allocator, defineAllocator, type Heap } from "memarena";
import { createSegregatedFits } from "./segregated-fits";

/** Options of the huge-page-aware allocator. */
export interface HugePageAwareOptions {
  /** Requests of at least this many bytes get their own mapping (default 256 KiB). */
  readonly threshold?: number;
  /** Payload alignment (default heap.alignment). */
  readonly alignment?: number;
  /** Header size of the small heap's blocks (default 4). */
  readonly headerBytes?: 4 | 8;
}

/** Magic words in a mapped block's header: which kind of pages back it. */
const MAGIC_HUGE = 0x48_55_47_45; // "HUGE"
const MAGIC_PAGES = 0x50_41_47_45; // "PAGE"

/** A huge-page-aware allocator plugin with the given options. */
export function makeHugePageAware(options: HugePageAwareOptions = {}) {
  const threshold = options.threshold ?? 256 * 1024;
  return defineAllocator({
    name: "huge-page-aware",
    description: "Segregated fits for small requests; large ones in their own huge-page mappings (normal pages as fallback).",
    create(heap: Heap): Allocator {
      const small = createSegregatedFits(heap, options);
      const A = options.alignment ?? heap.alignment;
      /** Mapped-block header: [mapped length][magic], ending at the aligned payload. */
      const HDR = Math.max(16, A);

      const isMapped = (ptr: number): boolean => ptr < heap.heapStart || ptr >= heap.heapEnd;
      const mappedLength = (ptr: number): number => heap.load64(ptr - 16);

      /** Maps a block for `size` bytes: huge pages first, then normal pages; 0 on failure. */
      function mapBlock(size: number): number {
        const hugePageSize = heap.hugePageSizes[0];
        let length = 0;
        let base = -1;
        let magic = MAGIC_HUGE;
        if (hugePageSize !== undefined) {
          length = roundUp(size + HDR, hugePageSize);
          base = heap.mmap(length, { hugePage: true });
        }
        if (base === -1) {
          length = roundUp(size + HDR, heap.pageSize);
          base = heap.mmap(length);
          magic = MAGIC_PAGES;
        }
        if (base === -1) return 0;
        const ptr = base + HDR;
        heap.store64(ptr - 16, length);
        heap.store64(ptr - 8, magic);
        return ptr;
      }

      function unmapBlock(ptr: number): void {
        const magic = heap.load64(ptr - 8);
        if (magic !== MAGIC_HUGE && magic !== MAGIC_PAGES) throw new Error(`huge-page-aware: free of a bad pointer 0x${ptr.toString(16)}`);
        heap.munmap(ptr - HDR, mappedLength(ptr));
      }

      function malloc(size: number): number {
        if (size <= 0) return 0;
        if (size >= threshold) {
          const ptr = mapBlock(size);
          if (ptr !== 0) return ptr;
        }
        return small.malloc(size);
      }

      function free(ptr: number): void {
        if (ptr === 0) return;
        if (isMapped(ptr)) unmapBlock(ptr);
        else small.free(ptr);
      }

      function realloc(ptr: number, size: number): number {
        if (ptr === 0) return malloc(size);
        if (size <= 0) {
          free(ptr);
          return 0;
        }
        if (!isMapped(ptr)) return small.realloc!(ptr, size);
        const capacity = mappedLength(ptr) - HDR;
        if (size <= capacity && size >= threshold) return ptr;
        const newPtr = malloc(size);
        if (newPtr === 0) return 0;
        heap.copy(newPtr, ptr, Math.min(capacity, size));
        unmapBlock(ptr);
        return newPtr;
      }

      /** A mapped block offers its whole mapping: that is where a huge page's waste shows. */
      function usableSize(ptr: number): number {
        return isMapped(ptr) ? mappedLength(ptr) - HDR : small.usableSize!(ptr);
      }

      return { init: small.init, malloc, free, realloc, usableSize };
    },
  });
}

export default makeHugePageAware();

function roundUp(value: number, granule: number): number {
  return Math.ceil(value / granule) * granule;
}
