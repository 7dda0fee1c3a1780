/**
 * gwp-asan — sampled guard pages, in the manner of GWP-ASan (Chrome,
 * Android, LLVM's scudo): Electric Fence for a random few allocations, so
 * that it can stay on in production.
 *
 * Idea: one pool is mapped once at init: `slots` one-page slots, each between
 * no-access guard pages (guard, slot, guard, slot, ..., guard), all of it
 * no-access until used. A seeded counter decides which mallocs are sampled:
 * after each sample the next one comes after a number of allocations drawn
 * uniformly from [1, 2 * sampleRate - 1] (mean: 1 in `sampleRate`), from a
 * xorshift generator seeded with a constant — the same run gives the same
 * samples. A sampled malloc of at most one page takes a free slot, makes
 * that page readable and writable, and places the block at the slot's right
 * end (payload end against the next guard: catches overflows) or at its
 * left end (payload start against the previous guard: catches underflows),
 * alternating. Everything else — unsampled mallocs, blocks bigger than a
 * page, mallocs while every slot is taken — goes to the wrapped allocator
 * untouched. free of a sampled block makes its slot no-access again, and
 * slots are reused least-recently-freed first, so a use-after-free is caught
 * as long as the slot has not been handed out again. Double and invalid
 * frees are reported for pointers into the pool; onExit reports sampled
 * blocks never freed.
 *
 * Trade-off: the cost is a counter decrement per malloc and a fixed pool
 * ((2 * slots + 1) pages of address space, at most `slots` frames) — nearly
 * free, which is the whole point — but it only sees bugs in the sampled
 * allocations: on a workload with B buggy blocks it finds about
 * B / sampleRate of them. Across a fleet of machines (GWP-ASan's setting)
 * that is enough; in a single test run it usually misses. Unsampled blocks
 * get no protection at all: their overflows, use-after-frees and double
 * frees go straight to the wrapped allocator. Within a sampled block, the
 * alignment slack on the guarded side and the whole unguarded side are not
 * checked (as in electric-fence).
 *
 * Complexity: O(1) per unsampled malloc/free (a counter, a range test); a
 * sampled malloc or free is one mprotect plus O(slots) table upkeep;
 * onFault is O(log slots).
 * Shines: always-on production sampling, large fleets, long-running servers.
 * Fails: reproducing one specific bug in one run; bugs in blocks larger than
 * a page; use-after-free after the slot has been recycled.
 *
 * Options: `makeGwpAsan({ sampleRate, slots, seed })`; sampleRate 1 samples
 * every malloc while a slot is free (useful in tests).
 */
import { defineSanitizer, type Fault, type Heap, type InnerAllocator, type SanitizerReport } from "memarena";
import { BlockTable, checkFree, leakReports, movingRealloc, roundUp } from "./block-table";

/** Options of gwp-asan. */
export interface GwpAsanOptions {
  /** Mean allocations per sample (default 16; production GWP-ASan uses thousands). */
  readonly sampleRate?: number;
  /** Slots in the guarded pool (default 32). */
  readonly slots?: number;
  /** Seed of the sampling generator (default a fixed constant). */
  readonly seed?: number;
}

/** A GWP-ASan-style sampling sanitizer with the given options. */
export function makeGwpAsan(options: GwpAsanOptions = {}) {
  const sampleRate = Math.max(1, Math.floor(options.sampleRate ?? 16));
  const slotCount = Math.max(1, Math.floor(options.slots ?? 32));
  const seed = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  return defineSanitizer({
    name: "gwp-asan",
    description: "Samples about 1 in sampleRate mallocs into guarded one-page slots; the rest go to the wrapped allocator.",
    create(heap: Heap, inner: InnerAllocator) {
      const page = heap.pageSize;
      const sampled = new BlockTable();
      /** Slot -> payload address of the block in it, or 0. */
      const slotBlock = new Float64Array(slotCount);
      /** Free slots, least recently freed first. */
      const freeSlots: number[] = [];
      let pool = -1;
      let poolEnd = -1;
      let rng = seed;
      let untilSample = 0;
      let serial = 0;
      let placeLeft = false;

      /** xorshift32: deterministic, no Math.random. */
      function nextRandom(): number {
        rng ^= rng << 13;
        rng >>>= 0;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        rng >>>= 0;
        return rng;
      }

      function drawInterval(): number {
        return sampleRate === 1 ? 1 : 1 + (nextRandom() % (2 * sampleRate - 1));
      }

      function init(): void {
        const bytes = (2 * slotCount + 1) * page;
        pool = heap.mmap(bytes);
        if (pool < 0) throw new Error(`gwp-asan: cannot map a ${bytes}-byte pool`);
        if (heap.mprotect(pool, bytes, "none") < 0) throw new Error("gwp-asan: cannot protect the pool");
        poolEnd = pool + bytes;
        for (let s = 0; s < slotCount; s++) freeSlots.push(s);
        untilSample = drawInterval();
      }

      const slotStart = (s: number): number => pool + (2 * s + 1) * page;
      const inPool = (addr: number): boolean => addr >= pool && addr < poolEnd;

      function sampledMalloc(size: number): number {
        const s = freeSlots.shift()!;
        const start = slotStart(s);
        if (heap.mprotect(start, page, "rw") < 0) {
          freeSlots.unshift(s);
          return 0;
        }
        const address = placeLeft ? start : start + page - roundUp(size, heap.alignment);
        placeLeft = !placeLeft;
        // The slot's previous (freed) block is forgotten now: its use-after-free window has closed.
        if (slotBlock[s] !== 0) sampled.remove(slotBlock[s]);
        slotBlock[s] = address;
        sampled.add({ address, size, spanStart: start, spanEnd: start + page, serial: ++serial, freed: false });
        return address;
      }

      function malloc(size: number): number {
        if (pool < 0) init();
        if (!(size > 0)) return inner.malloc(size);
        if (--untilSample <= 0) {
          untilSample = drawInterval();
          if (roundUp(size, heap.alignment) <= page && freeSlots.length > 0) {
            const p = sampledMalloc(size);
            if (p !== 0) return p;
          }
        }
        return inner.malloc(size);
      }

      function free(ptr: number): SanitizerReport | undefined {
        if (pool < 0) init();
        if (!inPool(ptr)) {
          inner.free(ptr);
          return undefined;
        }
        const bad = checkFree(sampled, ptr);
        if (bad) return bad;
        const b = sampled.get(ptr)!;
        b.freed = true;
        const s = ((b.spanStart - pool) / page - 1) / 2;
        heap.mprotect(b.spanStart, page, "none");
        freeSlots.push(s);
        return undefined;
      }

      function realloc(ptr: number, size: number): number {
        if (!inPool(ptr)) return ptr === 0 ? malloc(size) : inner.realloc(ptr, size);
        return movingRealloc(heap, sampled, malloc, free, ptr, size);
      }

      function onFault(fault: Fault): SanitizerReport | undefined {
        if (pool < 0 || !inPool(fault.vaddr)) return undefined;
        return sampled.attribute(fault.vaddr);
      }

      return { init, malloc, free, realloc, onFault, onExit: () => leakReports(sampled) };
    },
  });
}

export default makeGwpAsan();
