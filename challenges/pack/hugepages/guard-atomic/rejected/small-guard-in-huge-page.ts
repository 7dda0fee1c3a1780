/**
 * Electric fence on huge pages done naively: the block goes at the end of
 * a 2 MiB huge-page mapping and a 4 KiB guard page is carved out of the
 * same huge page. A huge page is atomic to the MMU — there is no 4 KiB hole
 * inside it — so the mprotect is refused, the code does not check, and the
 * overrun goes unreported.
 * @expect detection
 */
import { defineSanitizer } from "memarena";

export default defineSanitizer({
  name: "small-guard-in-huge-page",
  create(heap) {
    const huge = heap.hugePageSizes[0] ?? 2 * 1024 * 1024;
    const page = heap.pageSize;
    const blocks = new Map<number, { region: number; length: number; guard: number; size: number }>();
    return {
      malloc(size) {
        const rounded = Math.ceil(Math.max(size, 1) / 16) * 16;
        const length = Math.ceil((rounded + page) / huge) * huge;
        const region = heap.mmap(length, { hugePage: true });
        if (region === -1) return 0;
        const guard = region + length - page;
        heap.mprotect(guard, page, "none"); // refused inside a huge page; the result is ignored
        const ptr = guard - rounded;
        blocks.set(ptr, { region, length, guard, size });
        return ptr;
      },
      free(ptr) {
        const b = blocks.get(ptr);
        if (!b) return { kind: "invalid-free", address: ptr };
        blocks.delete(ptr);
        heap.munmap(b.region, b.length);
        return undefined;
      },
      onFault(fault) {
        for (const [ptr, b] of blocks) {
          if (fault.vaddr >= b.guard && fault.vaddr < b.guard + page) return { kind: "overflow", address: fault.vaddr, block: { address: ptr, size: b.size } };
        }
        return undefined;
      },
    };
  },
});
