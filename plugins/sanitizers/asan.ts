/**
 * asan — redzones, shadow memory and a quarantine, in the manner of
 * AddressSanitizer (Serebryany et al., USENIX ATC 2012).
 *
 * Idea: the compiler instruments every load and store with a check of a
 * "shadow" byte; here the grader calls `checkAccess(addr, length, access)`
 * before each application access, which is the same thing. One shadow byte
 * describes 8 application bytes (a granule), with ASan's encoding:
 *   0x00       all 8 bytes addressable
 *   0x01-0x07  only the first k bytes addressable (the tail of a block)
 *   0xfa       left redzone          0xfb  right redzone
 *   0xfd       freed (quarantined)   0xfe  heap bytes this sanitizer has not
 *                                          handed out (allocator headers, free space)
 * malloc(size) asks the wrapped allocator for 32 + size + >= 32 bytes and
 * returns the address after a 32-byte left redzone; the bytes after the
 * payload up to the end of the inner block are the right redzone. A check
 * finds the first poisoned byte of the access and names the block: past the
 * payload's end -> overflow, before its start -> underflow, freed ->
 * use-after-free. free(ptr) poisons the payload as freed and puts the block
 * in a FIFO quarantine of bounded size (default 256 KiB); only when it
 * leaves the quarantine is it handed back to the wrapped allocator (and its
 * shadow marked 0xfe), so a dangling pointer keeps hitting freed shadow for
 * a while. Double frees (of quarantined blocks) and invalid frees (pointers
 * malloc never returned, or interior pointers) are reported by free and not
 * passed on; onExit reports live blocks as leaks.
 *
 * Where the shadow lives — a decision: in simulated memory, not in a JS
 * typed array. The sanitizer contract would allow JS state, but then the
 * shadow would be free: no address space, no frames, no TLB misses. Real
 * ASan's shadow is one eighth of the heap and every check is a real load, and
 * that cost is what students should see in virtualOverhead and cycles. So
 * the shadow is mapped with heap.mmap in 16 KiB pieces, one per 128 KiB of
 * sbrk heap, as the heap grows (a two-level shadow: the JS directory of
 * pieces is scalar bookkeeping), and every check loads shadow bytes through
 * the MMU (4 at a time where aligned, as ASan's range checks do).
 *
 * Trade-off: catches every overflow and underflow that touches a redzone,
 * to the byte (the alignment slack is poisoned too, unlike guard pages), and
 * use-after-free while the block is quarantined — but every access pays a
 * check (costs.check cycles plus one shadow load per 32 bytes), every block
 * pays 64+ bytes of redzone, the heap pays 1/8 for the shadow, and freed
 * memory is held back by the quarantine. The quarantine is the knob: a
 * bigger one keeps use-after-free visible longer, but grows the heap, and
 * to a list-walking wrapped allocator (first-fit) quarantined blocks are
 * still allocated blocks that every malloc walks past.
 *
 * What it misses: a wild access that jumps over the redzones into another
 * live block (the shadow says addressable); use-after-free and double free
 * once the block has left the quarantine and been reused (a double free then
 * looks like an invalid free, or frees the new owner silently); blocks the
 * wrapped allocator places outside the sbrk heap (mmapped blocks have no
 * shadow and are not checked).
 *
 * Complexity: malloc/free O(size / 8) shadow writes plus O(n) JS table
 * upkeep; checkAccess O(length / 32) shadow loads.
 * Shines: test suites and fuzzing — precise reports for every kind of heap
 * bug at a ~2x cost. Fails: production (the per-access cost), far-jumping
 * wild pointers, long-delayed use-after-free.
 *
 * Options: `makeAsan({ quarantineBytes, leftRedzone, minRightRedzone })`.
 */
import { defineSanitizer, type Heap, type InnerAllocator, type SanitizerReport } from "memarena";
import { BlockTable, checkFree, leakReports, movingRealloc, report, roundUp, type TrackedBlock } from "./block-table";

/** Shadow byte codes (ASan's values). */
const ADDRESSABLE = 0x00;
const LEFT_REDZONE = 0xfa;
const RIGHT_REDZONE = 0xfb;
const FREED = 0xfd;
const NOT_HANDED_OUT = 0xfe;

/** Application bytes per shadow byte. */
const GRANULE = 8;
/** Heap bytes covered by one shadow piece; the piece is HEAP_PER_PIECE / GRANULE bytes. */
const HEAP_PER_PIECE = 128 * 1024;
const PIECE_BYTES = HEAP_PER_PIECE / GRANULE;

/** Options of asan. */
export interface AsanOptions {
  /** Freed bytes (redzones included) held back before reuse (default 256 KiB). */
  readonly quarantineBytes?: number;
  /** Left redzone in bytes: a multiple of the heap alignment, >= 16 (default 32). */
  readonly leftRedzone?: number;
  /** Smallest right redzone in bytes (default 32). */
  readonly minRightRedzone?: number;
}

/** An AddressSanitizer-style sanitizer with the given options. */
export function makeAsan(options: AsanOptions = {}) {
  const quarantineLimit = options.quarantineBytes ?? 256 * 1024;
  const minRight = Math.max(1, options.minRightRedzone ?? 32);
  return defineSanitizer({
    name: "asan",
    description: "Redzones around every block, a shadow byte per 8 bytes checked before each access, and a FIFO quarantine of freed blocks.",
    create(heap: Heap, inner: InnerAllocator) {
      const left = roundUp(Math.max(16, options.leftRedzone ?? 32), Math.max(heap.alignment, GRANULE));
      const base = heap.heapStart;
      const blocks = new BlockTable();
      /** Shadow piece k covers heap [base + k * HEAP_PER_PIECE, ...); its address, from heap.mmap. */
      const pieces: number[] = [];
      /** Heap bytes [base, covered) have shadow; always a multiple of GRANULE. */
      let covered = base;
      const quarantine: TrackedBlock[] = [];
      let quarantined = 0;
      let serial = 0;

      const shadowOf = (addr: number): number => {
        const off = addr - base;
        const k = Math.floor(off / HEAP_PER_PIECE);
        return pieces[k] + Math.floor((off - k * HEAP_PER_PIECE) / GRANULE);
      };

      /** Sets the shadow of [addr, addr + len) (granule-aligned) to `code`. */
      function poison(addr: number, len: number, code: number): void {
        let a = addr;
        const end = addr + len;
        while (a < end) {
          const pieceEnd = base + (Math.floor((a - base) / HEAP_PER_PIECE) + 1) * HEAP_PER_PIECE;
          const n = Math.min(end, pieceEnd) - a;
          heap.fill(shadowOf(a), code, Math.ceil(n / GRANULE));
          a += n;
        }
      }

      /** Extends the shadow to the current break; new heap bytes are "not handed out". Returns false when no shadow could be mapped. */
      function syncShadow(): boolean {
        const end = roundUp(heap.heapEnd, GRANULE);
        if (end <= covered) return true;
        const need = Math.ceil((end - base) / HEAP_PER_PIECE);
        while (pieces.length < need) {
          const p = heap.mmap(PIECE_BYTES);
          if (p < 0) return false;
          pieces.push(p);
        }
        poison(covered, end - covered, NOT_HANDED_OUT);
        covered = end;
        return true;
      }

      const shadowed = (b: TrackedBlock): boolean => b.spanStart >= base && b.spanEnd <= covered;

      function evictOne(): void {
        const b = quarantine.shift()!;
        quarantined -= b.spanEnd - b.spanStart;
        blocks.remove(b.address);
        if (shadowed(b)) poison(b.spanStart, b.spanEnd - b.spanStart, NOT_HANDED_OUT);
        inner.free(b.spanStart);
      }

      function malloc(size: number): number {
        if (!(size > 0)) return 0;
        const total = roundUp(left + size + minRight, Math.max(heap.alignment, GRANULE));
        let start = inner.malloc(total);
        while (start === 0 && quarantine.length > 0) {
          // Out of memory: the quarantine is a luxury; give it back and try again.
          while (quarantine.length > 0) evictOne();
          start = inner.malloc(total);
        }
        if (start === 0) return 0;
        const address = start + left;
        const b: TrackedBlock = { address, size, spanStart: start, spanEnd: start + total, serial: ++serial, freed: false };
        if (syncShadow() && shadowed(b)) {
          const tail = size % GRANULE;
          const full = size - tail;
          poison(start, left, LEFT_REDZONE);
          if (full > 0) poison(address, full, ADDRESSABLE);
          if (tail > 0) heap.store8(shadowOf(address + full), tail);
          const rz = address + roundUp(size, GRANULE);
          poison(rz, b.spanEnd - rz, RIGHT_REDZONE);
        }
        blocks.add(b);
        return address;
      }

      function free(ptr: number): SanitizerReport | undefined {
        const bad = checkFree(blocks, ptr);
        if (bad || ptr === 0) return bad;
        const b = blocks.get(ptr)!;
        b.freed = true;
        if (shadowed(b)) poison(b.address, roundUp(b.size, GRANULE), FREED);
        quarantine.push(b);
        quarantined += b.spanEnd - b.spanStart;
        while (quarantined > quarantineLimit && quarantine.length > 0) evictOne();
        return undefined;
      }

      // Always move (as ASan does): a stale pointer to the old block then hits freed shadow.
      const realloc = (ptr: number, size: number): number => movingRealloc(heap, blocks, malloc, free, ptr, size);

      /** First byte of [addr, end) whose shadow forbids it, or -1. */
      function firstPoisoned(addr: number, end: number): number {
        let g = addr - ((addr - base) % GRANULE);
        while (g < end) {
          const s = shadowOf(g);
          // Fast path: 4 clean granules (32 bytes) with one aligned load.
          if (s % 4 === 0 && g + 4 * GRANULE <= end && g + 4 * GRANULE <= covered && heap.load32(s) === 0) {
            g += 4 * GRANULE;
            continue;
          }
          const code = heap.load8(s);
          if (code !== ADDRESSABLE) {
            const ok = code < GRANULE ? g + code : g;
            const from = Math.max(addr, ok);
            if (from < Math.min(end, g + GRANULE)) return from;
          }
          g += GRANULE;
        }
        return -1;
      }

      function checkAccess(addr: number, length: number): SanitizerReport | undefined {
        const lo = Math.max(addr, base);
        const hi = Math.min(addr + length, covered);
        if (lo >= hi) return undefined;
        const bad = firstPoisoned(lo, hi);
        if (bad < 0) return undefined;
        const code = heap.load8(shadowOf(bad));
        const owner = blocks.containing(addr);
        if (code === FREED || owner?.freed) {
          const b = code === FREED ? blocks.containing(bad) : owner;
          return report("use-after-free", bad, b);
        }
        if (owner) return report(bad >= owner.address ? "overflow" : "underflow", bad, owner);
        return blocks.attribute(bad);
      }

      return { malloc, free, realloc, checkAccess, onExit: () => leakReports(blocks) };
    },
  });
}

export default makeAsan();
