/**
 * electric-fence — Bruce Perens's Electric Fence (1987): every block on its
 * own pages, pushed against a no-access guard page, so the MMU itself traps
 * the first byte that crosses the edge.
 *
 * Idea: malloc(size) maps ceil(size / page) + 1 fresh pages with heap.mmap
 * and turns one end page into a guard with mprotect(..., "none").
 * - overflow mode (default): the payload ends where the guard begins, so
 *   reading or writing one byte past it faults (caught in onFault).
 * - underflow mode (`makeElectricFence({ mode: "underflow" })`, EF's
 *   EF_PROTECT_BELOW): the guard comes first and the payload starts at the
 *   next page, so the byte before the block faults.
 * free(ptr) turns the block's pages into no-access pages and never maps that
 * address range again: any later use of the pointer faults, however late,
 * and is reported as use-after-free. Frees of a freed block (double-free) or
 * of a pointer that malloc never returned (invalid-free) are reported by
 * `free` and not passed on. Blocks never freed are reported by onExit as
 * leaks. The wrapped allocator is not used at all.
 *
 * Trade-off: detection costs nothing per access (no checkAccess: the
 * hardware checks) and is exact at the guarded edge, but every block costs
 * at least two pages of address space and one frame, however small it is: a
 * 16-byte block takes a 4 KiB frame (256x), and freed pages are never
 * reused, so address space only grows. Real Electric Fence is a debugging
 * tool for this reason, not something to leave on in production.
 *
 * What it does not catch, on purpose (pure guard pages, no instrumentation):
 * - alignment slack: payloads stay aligned to heap.alignment (16), so in
 *   overflow mode the block ends at a multiple of 16 and a 100-byte block
 *   has 12 bytes of slack before the guard: an overrun of 1..12 bytes lands
 *   in mapped memory and is missed. Real Electric Fence lets you trade
 *   alignment for exactness with EF_ALIGNMENT=1; here the heap's alignment
 *   is a checked rule, so sizes that are multiples of 16 are exact and other
 *   sizes are not. (Catching the slack would need checkAccess — that is what
 *   the asan plugin does.)
 * - the other edge: overflow mode misses underflows (the bytes before the
 *   payload are the rest of its first page), underflow mode misses
 *   overflows into its last page's slack. Run both modes, as EF users do.
 * - wild accesses that jump over the guard into another block's pages.
 *
 * Attribution: a fault in a guard page is charged to the nearer payload
 * edge (block-table.ts), so an underflow that reaches a neighbour's guard is
 * not reported as that neighbour's overflow.
 *
 * Complexity: malloc and free are one mmap / mprotect each (O(1) system
 * calls, plus O(n) table upkeep in JS); onFault is O(log n).
 * Shines: finding the exact instruction of a heap overrun in a debug run.
 * Fails: many small blocks (memory blow-up), long runs (address space never
 * comes back), overruns smaller than the alignment slack.
 */
import { defineSanitizer, type Heap, type InnerAllocator } from "memarena";
import { BlockTable, guardPageHooks, roundUp } from "./block-table";

/** Which edge of the block the guard page protects. */
export type FenceMode = "overflow" | "underflow";

/** Options of electric-fence. */
export interface ElectricFenceOptions {
  /** "overflow" (default): guard after the block; "underflow": guard before it. */
  readonly mode?: FenceMode;
}

/** An Electric Fence sanitizer guarding the given edge of every block. */
export function makeElectricFence(options: ElectricFenceOptions = {}) {
  const mode: FenceMode = options.mode ?? "overflow";
  return defineSanitizer({
    name: "electric-fence",
    description: "Every block on its own pages against a no-access guard page; freed pages stay no-access forever.",
    create(heap: Heap, _inner: InnerAllocator) {
      const page = heap.pageSize;
      const blocks = new BlockTable();
      let serial = 0;

      function malloc(size: number): number {
        if (!(size > 0)) return 0;
        const rounded = roundUp(size, heap.alignment);
        const dataBytes = roundUp(rounded, page);
        const region = heap.mmap(dataBytes + page);
        if (region < 0) return 0;
        let address: number;
        if (mode === "overflow") {
          if (heap.mprotect(region + dataBytes, page, "none") < 0) return 0;
          address = region + dataBytes - rounded;
        } else {
          if (heap.mprotect(region, page, "none") < 0) return 0;
          address = region + page;
        }
        const dataStart = mode === "overflow" ? region : region + page;
        blocks.add({ address, size, spanStart: dataStart, spanEnd: dataStart + dataBytes, serial: ++serial, freed: false });
        return address;
      }

      return guardPageHooks(heap, blocks, malloc);
    },
  });
}

export default makeElectricFence();
