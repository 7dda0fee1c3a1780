/** TLB and Belady benchmarks: lookups/s on a hit-heavy stream, inserts/s with eviction, optimalMisses on a million keys. */
import { AccessRecorder, optimalMisses, tlbKey, tlbKeySetOf } from "../core/machine/belady";
import type { NormalizedTlb, ReplacementPolicy } from "../core/machine/config";
import { Tlb } from "../core/machine/tlb";
import { createRng } from "../core/random";

const STREAM = 1 << 20;

function tlbOf(entries: number, ways: number, policy: ReplacementPolicy): Tlb {
  const config: NormalizedTlb = { name: "bench", level: 1, pageShifts: [12], entries, ways, sets: entries / ways, policy };
  return new Tlb(config, createRng(1).next);
}

/** Best of `rounds` timings of `fn`, in operations per second. */
function rate(ops: number, rounds: number, fn: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(ops / (best / 1000));
}

/** Lookups/s for a stream over a working set that fits (a ~all-hit stream); misses are refilled. */
function lookupRate(entries: number, ways: number, policy: ReplacementPolicy): number {
  const tlb = tlbOf(entries, ways, policy);
  const rng = createRng(7);
  const working = Math.floor(entries * 0.75);
  const vpns = new Float64Array(STREAM);
  for (let i = 0; i < STREAM; i++) vpns[i] = 0x7f0000000 + rng.int(working);
  let sink = 0;
  const passes = 8;
  const result = rate(STREAM * passes, 3, () => {
    for (let p = 0; p < passes; p++) {
      for (let i = 0; i < STREAM; i++) {
        const vpn = vpns[i];
        const slot = tlb.lookup(vpn, 12, 0);
        if (slot >= 0) sink += tlb.flags[slot];
        else tlb.insert(vpn, 12, 0, vpn * 4096, 1, 0);
      }
    }
  });
  if (sink < 0) throw new Error("unreachable");
  return result;
}

/** Inserts/s when every insert evicts (a stream of distinct pages). */
function insertRate(entries: number, ways: number, policy: ReplacementPolicy): number {
  const tlb = tlbOf(entries, ways, policy);
  let base = 0;
  return rate(STREAM * 4, 3, () => {
    for (let i = 0; i < STREAM * 4; i++) tlb.insert(base + i, 12, 0, i, 1, 0);
    base += STREAM * 4;
  });
}

/** Runs the benchmarks; returns figures keyed by name (the bench runner prints them). */
export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const policy of ["lru", "fifo", "clock", "random"] as const) {
    out[`tlb.L1(64x4).${policy}.lookupsPerSec`] = lookupRate(64, 4, policy);
    out[`tlb.L1(64x4).${policy}.insertsPerSec`] = insertRate(64, 4, policy);
  }
  out["tlb.L2(1536x12).lru.lookupsPerSec"] = lookupRate(1536, 12, "lru");
  out["tlb.L2(1536x12).lru.insertsPerSec"] = insertRate(1536, 12, "lru");

  // A million recorded keys: a random walk with locality over ~64k pages.
  const n = 1_000_000;
  const rng = createRng(11);
  const recorder = new AccessRecorder();
  let page = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    page = rng.next() < 0.9 ? (page + rng.int(8)) & 0xffff : rng.int(0x10000);
    recorder.push(tlbKey(page, 12, 0));
  }
  out["recorder.pushesPerSec(incl. rng)"] = Math.round(n / ((performance.now() - t0) / 1000));
  const keys = recorder.view();
  for (const [sets, ways] of [[16, 4], [128, 12], [1, 1536]] as const) {
    let misses = 0;
    const t1 = performance.now();
    misses = optimalMisses(keys, n, sets, ways, tlbKeySetOf(sets));
    out[`belady.1Mkeys.${sets}x${ways}.ms`] = Math.round(performance.now() - t1);
    out[`belady.1Mkeys.${sets}x${ways}.misses`] = misses;
  }
  return out;
}
