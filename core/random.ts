/**
 * Seeded pseudo-random numbers. Every random choice in memarena (generated
 * workloads, random TLB replacement, re-creation points) comes from one of
 * these, so a seed fixes the whole run.
 */

/** A seeded generator: `next()` in [0, 1), plus integer helpers. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number;
  /** An unsigned 32-bit integer. */
  u32(): number;
}

/** Mixes a string or number into a 32-bit seed (FNV-1a over the text). */
export function seedFrom(value: string | number): number {
  const text = String(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32, seeded through splitmix32: small, fast, and good enough for workloads. */
export function createRng(seed: number | string): Rng {
  let s = typeof seed === "number" ? seed >>> 0 : seedFrom(seed);
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  return {
    next,
    u32,
    int: (n: number) => Math.floor(next() * n),
    range: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}
