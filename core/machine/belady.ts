/**
 * Offline Belady-optimal (MIN/OPT) miss counts: the lower bound a TLB's miss
 * figure is compared with. The MMU records the stream of translation keys it
 * asked a TLB for (AccessRecorder); after the run optimalMisses replays it with
 * perfect knowledge of the future.
 */

/**
 * Key layout (one safe integer, < 2^53):
 *
 * | bits   | field     | limit                                         |
 * |--------|-----------|-----------------------------------------------|
 * | 0..4   | pageShift | < 32 (the machine allows 8..30)                |
 * | 5..16  | asid      | < 4096 (x86 PCIDs are 12 bits)                 |
 * | 17..52 | vpn       | < 2^36 (48-bit addresses with >= 4 KiB pages)  |
 *
 * Outside those limits two different triples can share a key; check once with
 * tlbKeyFits.
 */
export const TLB_KEY_SHIFT_BITS = 5;
/** Bits given to the ASID in a tlbKey. */
export const TLB_KEY_ASID_BITS = 12;
/** Bits given to the vpn in a tlbKey. */
export const TLB_KEY_VPN_BITS = 36;
const VPN_UNIT = 2 ** (TLB_KEY_SHIFT_BITS + TLB_KEY_ASID_BITS);

/** Encodes (vpn, pageShift, asid) as one safe integer: vpn·2^17 + asid·2^5 + pageShift (limits above). */
export function tlbKey(vpn: number, pageShift: number, asid: number): number {
  return vpn * VPN_UNIT + asid * 32 + pageShift;
}

/** The vpn of a tlbKey. */
export function tlbKeyVpn(key: number): number {
  return Math.floor(key / VPN_UNIT);
}

/** The page shift of a tlbKey. */
export function tlbKeyPageShift(key: number): number {
  return key % 32;
}

/** The ASID of a tlbKey. */
export function tlbKeyAsid(key: number): number {
  return Math.floor(key / 32) % 2 ** TLB_KEY_ASID_BITS;
}

/** Whether tlbKey is exact for every vpn of a `virtualBits` space with pages of at least 2^minPageShift bytes and ASIDs up to maxAsid. */
export function tlbKeyFits(virtualBits: number, minPageShift: number, maxAsid: number): boolean {
  return virtualBits - minPageShift <= TLB_KEY_VPN_BITS && maxAsid < 2 ** TLB_KEY_ASID_BITS && minPageShift >= 0;
}

/** The Tlb's set mapping (low vpn bits, or vpn mod sets) applied to tlbKeys, for optimalMisses. */
export function tlbKeySetOf(sets: number): (key: number) => number {
  if ((sets & (sets - 1)) === 0) {
    const mask = sets - 1;
    return (key) => (Math.floor(key / VPN_UNIT) >>> 0) & mask;
  }
  return (key) => Math.floor(key / VPN_UNIT) % sets;
}

/**
 * Misses of a Belady-optimal cache of `sets` × `ways` on keys[0..length),
 * demand-fetched (every miss brings its key in). `setOf(key)` must return an
 * integer in [0, sets); sets are independent, so OPT per set is optimal for
 * the whole cache. Use `sets = 1, ways = entries` for a fully associative one.
 *
 * O(n log n) time, O(n) memory: one backwards pass computes each access's next
 * use; per set, a max-heap of cached keys' next-use positions gives the victim
 * (the key used farthest in the future, or never again).
 */
export function optimalMisses(
  keys: Float64Array | readonly number[],
  length: number,
  sets: number,
  ways: number,
  setOf: (key: number) => number,
): number {
  const n = Math.min(length, keys.length);
  if (n <= 0) return 0;
  if (!(ways >= 1) || !(sets >= 1)) throw new RangeError(`optimalMisses: sets (${sets}) and ways (${ways}) must be >= 1`);

  // next[i]: position of the next access to keys[i], or n + i when there is none (distinct, after every real one).
  const next = new Float64Array(n);
  const seen = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) {
    const k = keys[i];
    const j = seen.get(k);
    next[i] = j === undefined ? n + i : j;
    seen.set(k, i);
  }
  seen.clear();

  // Group positions by set (counting sort, stable so each set's order is the stream order).
  const setIdx = new Int32Array(n);
  const start = new Int32Array(sets + 1);
  for (let i = 0; i < n; i++) {
    const s = setOf(keys[i]);
    setIdx[i] = s;
    start[s + 1]++;
  }
  for (let s = 0; s < sets; s++) start[s + 1] += start[s];
  const order = new Int32Array(n);
  const fill = start.slice(0, sets);
  for (let i = 0; i < n; i++) order[fill[setIdx[i]]++] = i;

  // pending[p] = 1: some cached key's next use is position p, so the access at p hits.
  const pending = new Uint8Array(n);
  const heap = new Float64Array(n);
  let misses = 0;
  for (let s = 0; s < sets; s++) {
    let size = 0;
    let cached = 0;
    for (let o = start[s]; o < start[s + 1]; o++) {
      const i = order[o];
      if (pending[i] === 1) {
        // Hit: the heap still holds i, now stale; stale entries are <= the current position,
        // below every live one (> current position), so they never reach the top while live ones exist.
        pending[i] = 0;
      } else {
        misses++;
        if (cached === ways) {
          // Evict the cached key whose next use is farthest.
          const victim = heap[0];
          const last = heap[--size];
          let h = 0;
          for (;;) {
            const l = 2 * h + 1;
            if (l >= size) break;
            const c = l + 1 < size && heap[l + 1] > heap[l] ? l + 1 : l;
            if (heap[c] <= last) break;
            heap[h] = heap[c];
            h = c;
          }
          heap[h] = last;
          if (victim < n) pending[victim] = 0;
        } else {
          cached++;
        }
      }
      const nx = next[i];
      if (nx < n) pending[nx] = 1;
      let h = size++;
      while (h > 0) {
        const p = (h - 1) >> 1;
        if (heap[p] >= nx) break;
        heap[h] = heap[p];
        h = p;
      }
      heap[h] = nx;
    }
  }
  return misses;
}

/** A growable record of tlbKeys (the translation stream), doubling its buffer; no allocation per push otherwise. */
export class AccessRecorder {
  private buffer: Float64Array;
  private count = 0;
  /** Keys refused because the limit was reached; a truncated stream makes optimalMisses a bound for the prefix only. */
  dropped = 0;

  /** `limit` caps memory (8 bytes per key); pushes beyond it are counted in `dropped`. */
  constructor(initialCapacity = 4096, readonly limit = Number.POSITIVE_INFINITY) {
    this.buffer = new Float64Array(Math.max(1, Math.min(limit, Math.max(16, initialCapacity))));
  }

  /** Keys recorded. */
  get length(): number {
    return this.count;
  }

  /** Appends one key. */
  push(key: number): void {
    if (this.count === this.buffer.length) {
      if (this.count >= this.limit) {
        this.dropped++;
        return;
      }
      const grown = new Float64Array(Math.min(this.buffer.length * 2, this.limit));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.count++] = key;
  }

  /** Forgets every key (keeps the buffer). */
  clear(): void {
    this.count = 0;
    this.dropped = 0;
  }

  /** The recorded keys, without copying; valid until the next push or clear. */
  view(): Float64Array {
    return this.buffer.subarray(0, this.count);
  }
}
