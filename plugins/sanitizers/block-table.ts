/**
 * Shared by the built-in sanitizers (not a plugin): a table of the blocks a
 * sanitizer handed out, sorted by address, and the rule that turns a bad
 * address into a report.
 *
 * Sanitizers may keep JS-side state (they are never re-created mid-run), so
 * the table is plain JS: a sorted array searched by bisection, plus a Map
 * from payload address to block for `free`. Insert and remove are O(n)
 * (array splice), lookups O(log n).
 *
 * Attribution, in the manner of AddressSanitizer's "N bytes to the right of
 * the M-byte region": a bad address inside a block's reserved span (its
 * payload and slack: pages or redzones it owns) belongs to that block; an
 * address between blocks belongs to the nearer payload edge — past the end
 * of the block on the left (overflow) or before the start of the block on
 * the right (underflow). A freed block turns either into use-after-free.
 */
import type { Fault, Heap, Sanitizer, SanitizerReport } from "memarena";

/** One block as a sanitizer tracks it. */
export interface TrackedBlock {
  /** Payload address, as returned to the application. */
  readonly address: number;
  /** Requested payload size in bytes. */
  readonly size: number;
  /** First byte the sanitizer reserved for this block (payload, slack, redzones; not shared guards). */
  readonly spanStart: number;
  /** One past the last byte reserved for this block. */
  readonly spanEnd: number;
  /** Allocation number (1 = the first malloc the sanitizer saw). */
  readonly serial: number;
  /** Set by `free`; the block stays in the table while it is quarantined. */
  freed: boolean;
}

/** Blocks sorted by address, with nearest-neighbour lookup. */
export class BlockTable {
  private readonly sorted: TrackedBlock[] = [];
  private readonly byAddress = new Map<number, TrackedBlock>();

  /** Number of tracked blocks (live and quarantined). */
  get count(): number {
    return this.sorted.length;
  }

  /** Adds a block; its span must not overlap a tracked block. */
  add(block: TrackedBlock): void {
    this.sorted.splice(this.firstAbove(block.address), 0, block);
    this.byAddress.set(block.address, block);
  }

  /** Forgets the block whose payload starts at `address`. */
  remove(address: number): void {
    const b = this.byAddress.get(address);
    if (!b) return;
    this.byAddress.delete(address);
    this.sorted.splice(this.firstAbove(address) - 1, 1);
  }

  /** The block whose payload starts at `address`, if tracked. */
  get(address: number): TrackedBlock | undefined {
    return this.byAddress.get(address);
  }

  /** Blocks not freed, in address order. */
  live(): TrackedBlock[] {
    return this.sorted.filter((b) => !b.freed);
  }

  /** The block whose span holds `vaddr`, if any. */
  containing(vaddr: number): TrackedBlock | undefined {
    const i = this.firstAbove(vaddr);
    for (const b of [this.sorted[i - 1], this.sorted[i]]) if (b && vaddr >= b.spanStart && vaddr < b.spanEnd) return b;
    return undefined;
  }

  /**
   * The report for a bad access at `vaddr` (see the header), or undefined
   * when no block is tracked or `vaddr` is inside a live payload (nothing
   * wrong that this table can see).
   */
  attribute(vaddr: number): SanitizerReport | undefined {
    const owner = this.containing(vaddr);
    if (owner) {
      if (owner.freed) return report("use-after-free", vaddr, owner);
      if (vaddr >= owner.address + owner.size) return report("overflow", vaddr, owner);
      if (vaddr < owner.address) return report("underflow", vaddr, owner);
      return undefined;
    }
    const i = this.firstAbove(vaddr);
    const left = this.sorted[i - 1];
    const right = this.sorted[i];
    const toLeft = left ? vaddr - (left.address + left.size) + 1 : Infinity;
    const toRight = right ? right.address - vaddr : Infinity;
    if (toLeft === Infinity && toRight === Infinity) return undefined;
    const b = toLeft <= toRight ? left! : right!;
    if (b.freed) return report("use-after-free", vaddr, b);
    return report(toLeft <= toRight ? "overflow" : "underflow", vaddr, b);
  }

  /** Index of the first block whose payload starts above `vaddr`. */
  private firstAbove(vaddr: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid].address <= vaddr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A report naming the block involved. */
export function report(kind: SanitizerReport["kind"], address: number, block?: { address: number; size: number }): SanitizerReport {
  return block ? { kind, address, block: { address: block.address, size: block.size } } : { kind, address };
}

/** Leak reports for every block still live, in address order. */
export function leakReports(table: BlockTable): SanitizerReport[] {
  return table.live().map((b) => report("leak", b.address, b));
}

/**
 * What `free(ptr)` should report before anything is released: nothing for
 * free(0) (a no-op in C) and for a live block; double-free for a block that
 * is still remembered as freed; invalid-free for any other pointer.
 */
export function checkFree(table: BlockTable, ptr: number): SanitizerReport | undefined {
  if (ptr === 0) return undefined;
  const b = table.get(ptr);
  if (!b) {
    const around = table.containing(ptr);
    return report("invalid-free", ptr, around);
  }
  return b.freed ? report("double-free", ptr, b) : undefined;
}

/** Rounds `n` up to a multiple of `granule`. */
export function roundUp(n: number, granule: number): number {
  return Math.ceil(n / granule) * granule;
}

/**
 * The hooks every guard-page sanitizer shares once its `malloc` has placed a
 * block on its own pages: free makes the block's pages no-access and never
 * reuses them (a stale pointer always faults), realloc always moves (so the
 * old pages become no-access too), a fault is charged to the nearest block,
 * and what is still live at exit is a leak.
 */
export function guardPageHooks(heap: Heap, blocks: BlockTable, malloc: (size: number) => number): Required<Pick<Sanitizer, "malloc" | "free" | "realloc" | "onFault" | "onExit">> {
  function free(ptr: number): SanitizerReport | undefined {
    const bad = checkFree(blocks, ptr);
    if (bad || ptr === 0) return bad;
    const b = blocks.get(ptr)!;
    b.freed = true;
    // The whole span at once: a huge mapping is an atomic region that cannot be protected in part.
    heap.mprotect(b.spanStart, b.spanEnd - b.spanStart, "none");
    return undefined;
  }

  return {
    malloc,
    free,
    realloc: (ptr, size) => movingRealloc(heap, blocks, malloc, free, ptr, size),
    onFault: (fault: Fault) => blocks.attribute(fault.vaddr),
    onExit: () => leakReports(blocks),
  };
}

/**
 * realloc for a sanitizer that always moves the block (as ASan and guard-page
 * tools do): a stale pointer to the old block then hits freed memory and is
 * caught. realloc(0, n) is malloc; realloc(p, 0) frees; an unknown or freed
 * pointer gives 0.
 */
export function movingRealloc(
  heap: Heap,
  blocks: BlockTable,
  malloc: (size: number) => number,
  free: (ptr: number) => SanitizerReport | undefined,
  ptr: number,
  size: number,
): number {
  if (ptr === 0) return malloc(size);
  const old = blocks.get(ptr);
  if (!old || old.freed) return 0;
  if (!(size > 0)) {
    free(ptr);
    return 0;
  }
  const fresh = malloc(size);
  if (fresh === 0) return 0;
  heap.copy(fresh, ptr, Math.min(old.size, size));
  free(ptr);
  return fresh;
}
