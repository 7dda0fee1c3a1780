import fc from "fast-check";
import {
  AccessRecorder,
  optimalMisses,
  tlbKey,
  tlbKeyAsid,
  tlbKeyFits,
  tlbKeyPageShift,
  tlbKeySetOf,
  tlbKeyVpn,
} from "../../core/machine/belady";
import type { ReplacementPolicy } from "../../core/machine/config";
import { Tlb } from "../../core/machine/tlb";
import { createRng } from "../../core/random";

const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
const fullyAssociative = (): number => 0;

/** Misses of a real Tlb on a vpn stream (asid 0, 4 KiB): lookup, insert on a miss. */
function tlbMisses(vpns: readonly number[], sets: number, ways: number, policy: ReplacementPolicy, seed = 1): number {
  const tlb = new Tlb({ name: "T", level: 1, pageShifts: [12], entries: sets * ways, ways, sets, policy }, createRng(seed).next);
  let misses = 0;
  for (const v of vpns) {
    if (tlb.lookup(v, 12, 0) < 0) {
      misses++;
      tlb.insert(v, 12, 0, v, 0, 0);
    }
  }
  return misses;
}

/** Exhaustive optimum: tries every victim on every miss (tiny streams only). */
function bruteForceMisses(keys: readonly number[], sets: number, ways: number): number {
  const go = (i: number, cache: number[][]): number => {
    if (i === keys.length) return 0;
    const k = keys[i];
    const s = k % sets;
    if (cache[s].includes(k)) return go(i + 1, cache);
    if (cache[s].length < ways) {
      const next = cache.map((c, j) => (j === s ? [...c, k] : c));
      return 1 + go(i + 1, next);
    }
    let best = Infinity;
    for (let w = 0; w < ways; w++) {
      const next = cache.map((c, j) => (j === s ? c.map((x, y) => (y === w ? k : x)) : c));
      best = Math.min(best, go(i + 1, next));
    }
    return 1 + best;
  };
  return go(0, Array.from({ length: sets }, () => []));
}

/** Textbook OPT: on a miss in a full set, scan forward and evict the key used farthest ahead (or never). */
function textbookOptimal(keys: readonly number[], sets: number, ways: number): number {
  const cache: number[][] = Array.from({ length: sets }, () => []);
  let misses = 0;
  keys.forEach((k, i) => {
    const set = cache[k % sets];
    if (set.includes(k)) return;
    misses++;
    if (set.length < ways) {
      set.push(k);
      return;
    }
    const distance = (x: number): number => {
      const j = keys.indexOf(x, i + 1);
      return j < 0 ? Infinity : j;
    };
    let victim = 0;
    for (let w = 1; w < set.length; w++) if (distance(set[w]) > distance(set[victim])) victim = w;
    set[victim] = k;
  });
  return misses;
}

describe("Belady's anomaly (1,2,3,4,1,2,5,1,2,3,4,5)", () => {
  test("a fully associative FIFO TLB misses 9 times with 3 entries and 10 with 4", () => {
    expect(tlbMisses(BELADY, 1, 3, "fifo")).toBe(9);
    expect(tlbMisses(BELADY, 1, 4, "fifo")).toBe(10);
  });

  test("LRU and OPT do not get worse with 4 entries", () => {
    expect(tlbMisses(BELADY, 1, 3, "lru")).toBe(10);
    expect(tlbMisses(BELADY, 1, 4, "lru")).toBe(8);
    expect(optimalMisses(BELADY, BELADY.length, 1, 3, fullyAssociative)).toBe(7);
    expect(optimalMisses(BELADY, BELADY.length, 1, 4, fullyAssociative)).toBe(6);
  });
});

describe("optimalMisses", () => {
  test("edge cases: empty stream, length prefix, one way, enough ways for every key", () => {
    expect(optimalMisses([], 0, 1, 4, fullyAssociative)).toBe(0);
    expect(optimalMisses(BELADY, 4, 1, 3, fullyAssociative)).toBe(4);
    expect(optimalMisses([1, 1, 2, 2, 1], 5, 1, 1, fullyAssociative)).toBe(3);
    expect(optimalMisses(BELADY, BELADY.length, 1, 5, fullyAssociative)).toBe(5);
    expect(optimalMisses(new Float64Array(BELADY), BELADY.length, 1, 3, fullyAssociative)).toBe(7);
  });

  test("sets are independent: two sets of 1 way vs one set of 2 ways", () => {
    // Keys 0 and 2 share set 0 of a 2-set cache and keep evicting each other.
    const keys = [0, 2, 0, 2, 0, 2];
    expect(optimalMisses(keys, keys.length, 2, 1, (k) => k % 2)).toBe(6);
    expect(optimalMisses(keys, keys.length, 1, 2, fullyAssociative)).toBe(2);
  });

  test("equals an exhaustive search on tiny streams", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 11 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (keys, sets, ways) => optimalMisses(keys, keys.length, sets, ways, (k) => k % sets) === bruteForceMisses(keys, sets, ways),
      ),
      { numRuns: 300 },
    );
  });

  test("equals a textbook forward-scanning OPT on medium streams", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 300, size: "max" }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        (keys, sets, ways) => optimalMisses(keys, keys.length, sets, ways, (k) => k % sets) === textbookOptimal(keys, sets, ways),
      ),
      { numRuns: 300 },
    );
  });

  test("is a lower bound for LRU, FIFO, clock and random on the same geometry", () => {
    const stream = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 400, size: "max" }),
      // Loops over a working set slightly too big for the cache: LRU's worst case.
      fc.record({ span: fc.integer({ min: 2, max: 30 }), reps: fc.integer({ min: 1, max: 20 }) }).map(({ span, reps }) =>
        Array.from({ length: span * reps }, (_, i) => i % span),
      ),
    );
    fc.assert(
      fc.property(stream, fc.constantFrom(1, 2, 3, 4, 6), fc.constantFrom(1, 2, 4, 5), fc.nat(), (vpns, sets, ways, seed) => {
        const keys = vpns.map((v) => tlbKey(v, 12, 0));
        const opt = optimalMisses(keys, keys.length, sets, ways, tlbKeySetOf(sets));
        const distinct = new Set(vpns).size;
        if (opt < distinct || opt > vpns.length) return false;
        return (["lru", "fifo", "clock", "random"] as const).every((p) => opt <= tlbMisses(vpns, sets, ways, p, seed));
      }),
      { numRuns: 300 },
    );
  });

  test("never gets worse with more ways (no anomaly for OPT)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 200, size: "max" }), fc.integer({ min: 1, max: 8 }), (keys, ways) => {
        return optimalMisses(keys, keys.length, 1, ways + 1, fullyAssociative) <= optimalMisses(keys, keys.length, 1, ways, fullyAssociative);
      }),
    );
  });

  test("handles a stream with vpns above 2^32", () => {
    // Pages 0 and 2 differ only above bit 32: both in set 0; page 1 in set 1.
    const keys = [0, 1, 2, 0, 1, 2].map((i) => tlbKey(2 ** 35 + i * 2 ** 33 + (i === 1 ? 1 : 0), 12, 7));
    expect(new Set(keys).size).toBe(3);
    expect(optimalMisses(keys, keys.length, 4, 1, tlbKeySetOf(4))).toBe(5);
    expect(optimalMisses(keys, keys.length, 1, 3, fullyAssociative)).toBe(3);
  });
});

describe("tlbKey", () => {
  test("round-trips (vpn, pageShift, asid) within its documented limits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 36 - 1 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 4095 }), (vpn, shift, asid) => {
        const k = tlbKey(vpn, shift, asid);
        return Number.isSafeInteger(k) && tlbKeyVpn(k) === vpn && tlbKeyPageShift(k) === shift && tlbKeyAsid(k) === asid;
      }),
    );
    expect(tlbKey(2 ** 36 - 1, 31, 4095)).toBe(2 ** 53 - 1);
  });

  test("set mapping matches the Tlb's", () => {
    for (const sets of [1, 3, 4, 16, 128]) {
      const tlb = new Tlb({ name: "T", level: 1, pageShifts: [12], entries: sets, ways: 1, sets, policy: "lru" }, () => 0);
      const setOf = tlbKeySetOf(sets);
      for (const vpn of [0, 1, 5, 127, 2 ** 32 + 9, 2 ** 35 + 77]) expect(setOf(tlbKey(vpn, 12, 9))).toBe(tlb.setOf(vpn));
    }
  });

  test("tlbKeyFits names the machines the encoding is exact for", () => {
    expect(tlbKeyFits(48, 12, 4095)).toBe(true);
    expect(tlbKeyFits(52, 16, 0)).toBe(true);
    expect(tlbKeyFits(52, 12, 0)).toBe(false);
    expect(tlbKeyFits(48, 12, 4096)).toBe(false);
  });
});

describe("AccessRecorder", () => {
  test("grows by doubling and returns every key in order", () => {
    const r = new AccessRecorder(4);
    for (let i = 0; i < 1000; i++) r.push(i * 3.0);
    expect(r.length).toBe(1000);
    const v = r.view();
    expect(v.length).toBe(1000);
    expect(Array.from(v.subarray(0, 4))).toEqual([0, 3, 6, 9]);
    expect(v[999]).toBe(2997);
    r.clear();
    expect(r.length).toBe(0);
    r.push(42);
    expect(Array.from(r.view())).toEqual([42]);
  });

  test("stops at its limit and counts what it dropped", () => {
    const r = new AccessRecorder(2, 40);
    for (let i = 0; i < 50; i++) r.push(i);
    expect(r.length).toBe(40);
    expect(r.dropped).toBe(10);
    expect(r.view()[39]).toBe(39);
  });

  test("feeds optimalMisses directly", () => {
    const r = new AccessRecorder();
    for (const v of BELADY) r.push(tlbKey(v, 12, 0));
    expect(optimalMisses(r.view(), r.length, 1, 3, fullyAssociative)).toBe(7);
  });
});
