/**
 * huge-page-guard — guard pages when the payload lives in huge pages: the
 * seed article's "atomic unit" problem made concrete.
 *
 * Idea: a huge page (2 MiB) is one leaf of the page table, so the MMU cannot
 * leave a 4 KiB hole inside it: a guard next to a block in a huge page must
 * sit outside the huge page, and the next huge page starts 2 MiB further on.
 * So every block gets its own huge-page mapping (heap.mmap(..., { hugePage:
 * true }): length rounded up to 2 MiB, backed eagerly by 2 MiB of frames),
 * with the payload pushed against its end, and a 2 MiB no-access guard on
 * each side (mapped with base pages and turned "none", so a guard costs
 * address space but no frame). Blocks are laid out top-down as the kernel
 * places mappings: guard, payload, guard, payload, guard, ... — each guard
 * sits between two payloads and serves both. free makes the block's huge
 * mapping no-access as a whole (mprotect of the whole region: a huge region
 * cannot be protected in part), which gives its 2 MiB of frames back; the
 * range is never mapped again, so a stale pointer always faults
 * (use-after-free). Double/invalid frees are reported by free; blocks never
 * freed, by onExit. The wrapped allocator is not used.
 *
 * Trade-off — the point of this plugin: a 256 KiB block costs a 2 MiB huge
 * page of frames (1.75 MiB of internal fragmentation inside the payload's
 * huge page: 8x the payload) plus 2 MiB of guard address space (another 8x
 * of virtual space, zero frames), and a 1-byte block costs the same. In
 * return every access to the payload goes through one 2 MiB TLB entry. The
 * alternative the article names is to give up huge pages for guarded blocks
 * (electric-fence: 4 KiB granules, far less waste, more TLB misses).
 *
 * What it does not catch: underflows (the payload sits at the end of its
 * huge page, so up to 2 MiB - size bytes before it are mapped and writable);
 * overflows inside the alignment slack (payload end rounded to 16 bytes), as
 * in electric-fence.
 *
 * Layout caveat (an SDK limit, not a design choice): heap.mmap takes no
 * address hint, so the plugin relies on the kernel's top-down placement to
 * put each mapping right below the previous one, and checks it. When another
 * mapping got in the way, the block's upper edge may be next to memory that
 * is not ours; that block is still given its own lower guard, and the edge
 * is counted in `unguardedEdges` (exposed by the factory's `stats`).
 * Without huge pages on the machine (heap.hugePageSizes empty), the granule
 * falls back to the base page and this behaves like electric-fence.
 *
 * Complexity: malloc is two mmaps and one mprotect; free one mprotect; O(n)
 * JS table upkeep; onFault O(log n).
 * Shines: catching overruns in large buffers (I/O buffers, matrices) that
 * must stay in huge pages to be fast. Fails: many small blocks (2 MiB of
 * frames each), underflows, long runs (address space only grows).
 */
import { defineSanitizer, type Heap, type InnerAllocator } from "memarena";
import { BlockTable, guardPageHooks, roundUp } from "./block-table";

/** What a huge-page-guard instance has reserved so far (for tests and reports). */
export interface HugeGuardStats {
  /** Bytes of payload mappings (huge pages) made, freed ones included. */
  payloadMappedBytes: number;
  /** Bytes of guard address space reserved. */
  guardBytes: number;
  /** Block edges found next to a mapping that is not this plugin's guard. */
  unguardedEdges: number;
}

/** A huge-page guard sanitizer; `stats` (when given) is updated as it runs. */
export function makeHugePageGuard(options: { stats?: HugeGuardStats } = {}) {
  return defineSanitizer({
    name: "huge-page-guard",
    description: "Each block in its own 2 MiB huge page, between 2 MiB no-access guards: exact overflow detection with huge-page TLB reach, at a large cost in frames and address space.",
    create(heap: Heap, _inner: InnerAllocator) {
      const huge = heap.hugePageSizes.length > 0;
      const granule = huge ? heap.hugePageSizes[0] : heap.pageSize;
      const stats: HugeGuardStats = options.stats ?? { payloadMappedBytes: 0, guardBytes: 0, unguardedEdges: 0 };
      const blocks = new BlockTable();
      /** Start of the lowest guard made so far: the next mapping should end right there. */
      let lowestGuard = -1;
      let serial = 0;

      /** A granule of no-access address space below everything mapped so far; its address or -1. */
      function guard(): number {
        const g = heap.mmap(granule);
        if (g < 0) return -1;
        if (heap.mprotect(g, granule, "none") < 0) {
          heap.munmap(g, granule);
          return -1;
        }
        stats.guardBytes += granule;
        lowestGuard = g;
        return g;
      }

      function malloc(size: number): number {
        if (!(size > 0)) return 0;
        if (lowestGuard < 0 && guard() < 0) return 0;
        const rounded = roundUp(size, heap.alignment);
        const length = roundUp(rounded, granule);
        const region = heap.mmap(length, { hugePage: huge });
        if (region < 0) return 0;
        stats.payloadMappedBytes += length;
        if (region + length !== lowestGuard) stats.unguardedEdges++;
        if (guard() !== region - granule) stats.unguardedEdges++;
        const address = region + length - rounded;
        blocks.add({ address, size, spanStart: region, spanEnd: region + length, serial: ++serial, freed: false });
        return address;
      }

      return guardPageHooks(heap, blocks, malloc);
    },
  });
}

export default makeHugePageGuard();
