/**
 * Seeded payload bytes. The grader fills each block it hands out with bytes
 * derived from (run seed, block id, op index) and checks them at free, at
 * realloc and at the end, as the malloc lab does: an allocator that writes a
 * header inside a live payload is caught by the first check that reads it.
 */

/** Mixes three integers into a 32-bit seed (never 0: xorshift needs a non-zero state). */
export function patternSeed(runSeed: number, id: number, op: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ id, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ op, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h === 0 ? 0x6d2b79f5 : h >>> 0;
}

/**
 * The pattern word at word index `w` of a block: a counter-based hash, so any
 * byte range of a block's pattern can be made without the bytes before it.
 */
function patternWord(seed: number, w: number): number {
  let x = Math.imul(seed ^ Math.imul(w + 1, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 15;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 13)) >>> 0;
}

/** Writes the pattern bytes [offset, offset + length) of the block with `seed` into `out` from index 0. */
export function fillPattern(out: Uint8Array, length: number, seed: number, offset = 0): void {
  let i = 0;
  let pos = offset;
  // Leading bytes up to a word boundary, whole words, then the tail.
  while (i < length && (pos & 3) !== 0) {
    out[i++] = (patternWord(seed, pos >>> 2) >>> ((pos & 3) * 8)) & 0xff;
    pos++;
  }
  for (; i + 4 <= length; i += 4, pos += 4) {
    const x = patternWord(seed, pos >>> 2);
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = x >>> 24;
  }
  for (; i < length; i++, pos++) out[i] = (patternWord(seed, pos >>> 2) >>> ((pos & 3) * 8)) & 0xff;
}

/** A block's pattern as a word source for the kernel (pokeSource, compareSource): no byte buffer is filled. */
export class PatternSource {
  /** Seed of the block whose pattern this is. */
  seed = 1;

  /** Pattern bytes [4w, 4w + 4), little-endian. */
  word(w: number): number {
    return patternWord(this.seed, w);
  }
}

/** A reusable buffer that grows to the largest pattern asked for. */
export class PatternBuffer {
  private buf = new Uint8Array(4096);

  /** Pattern bytes [offset, offset + length) for `seed` (a view valid until the next call). */
  pattern(length: number, seed: number, offset = 0): Uint8Array {
    return this.fill(length, seed, offset).subarray(0, length);
  }

  /** Like pattern, but the whole buffer: its first `length` bytes are the pattern (no view is made). */
  fill(length: number, seed: number, offset = 0): Uint8Array {
    if (this.buf.length < length) this.buf = new Uint8Array(Math.max(length, this.buf.length * 2));
    fillPattern(this.buf, length, seed, offset);
    return this.buf;
  }
}

/** Index of the first byte where `actual` differs from `expected`, or -1. */
export function firstDifference(actual: Uint8Array, expected: Uint8Array, length: number): number {
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}
