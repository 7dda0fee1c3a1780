/**
 * Sparse simulated physical memory.
 *
 * Memory is cut into 64 KiB chunks. Every chunk slot starts out pointing at
 * one shared, all-zero, never-written chunk, so a read of untouched memory
 * returns 0 without a branch and without materializing anything; the first
 * write to a chunk gives it its own buffer. A 64 GiB machine with 100 MiB
 * touched costs ~100 MiB of buffers plus an 8 MiB slot array.
 *
 * All multi-byte accesses are little-endian. An access that crosses a chunk
 * boundary takes a byte-by-byte slow path.
 *
 * 64-bit values are JS numbers, interpreted as signed two's-complement 64-bit
 * integers: store64 accepts any safe integer (negative ones are stored as
 * two's complement), load64 returns the signed value and fails with
 * UNSAFE_INTEGER when it is outside ±(2^53 - 1). So a stored -1 reads back as
 * -1, and eight 0xff bytes written with store8 read back as -1 too.
 */
import { ErrorCode, MemarenaError } from "../errors";

/** Bytes per chunk (a power of two). */
export const CHUNK_BYTES = 65536;
const INV_CHUNK = 1 / CHUNK_BYTES;
const TWO32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Copies up to this many bytes in a loop rather than through a subarray view. */
const SHORT_COPY = 128;

/**
 * Chunk buffers of released memories (PhysicalMemory.release), reused by the
 * next machine in this process: a process that builds machine after machine
 * (tests, AllocatorTester, the benchmarks) then neither grows nor churns its
 * external memory, which would cost a full garbage collection every few runs.
 */
const POOL: ArrayBuffer[] = [];
/** Most buffers kept in the pool (64 MiB). */
const POOL_MAX = 1024;

/** Chunk buffers waiting in the pool (tests). */
export function pooledChunks(): number {
  return POOL.length;
}

const ZERO_BUFFER = new ArrayBuffer(CHUNK_BYTES);
const ZERO_VIEW = new DataView(ZERO_BUFFER);
const ZERO_BYTES = new Uint8Array(ZERO_BUFFER);

/** Bytes produced a 32-bit word at a time (writeSource, firstDifferenceFrom): byte k is (word(k >>> 2) >>> ((k & 3) * 8)) & 0xff. */
export interface WordSource {
  /** Bytes [4w, 4w + 4) of the source, little-endian, as an unsigned 32-bit number. */
  word(w: number): number;
}

/** Sparse little-endian physical memory addressed by physical byte address (paddr). */
export class PhysicalMemory {
  /** Size in bytes. */
  readonly sizeBytes: number;
  private readonly views: DataView[];
  private readonly bytes: Uint8Array[];
  private materialized = 0;

  constructor(sizeBytes: number) {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new RangeError(`physical memory size ${sizeBytes}`);
    this.sizeBytes = sizeBytes;
    const n = Math.ceil(sizeBytes / CHUNK_BYTES);
    this.views = new Array<DataView>(n).fill(ZERO_VIEW);
    this.bytes = new Array<Uint8Array>(n).fill(ZERO_BYTES);
  }

  /** Host bytes materialized so far (chunks written at least once). */
  get residentBytes(): number {
    return this.materialized * CHUNK_BYTES;
  }

  /** True when [paddr, paddr + length) lies inside physical memory. */
  contains(paddr: number, length: number): boolean {
    return paddr >= 0 && length >= 0 && paddr + length <= this.sizeBytes;
  }

  load8(paddr: number): number {
    const c = (paddr * INV_CHUNK) | 0;
    return this.bytes[c][paddr - c * CHUNK_BYTES];
  }

  load16(paddr: number): number {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    if (off <= CHUNK_BYTES - 2) return this.views[c].getUint16(off, true);
    return this.loadSlow(paddr, 2);
  }

  load32(paddr: number): number {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    if (off <= CHUNK_BYTES - 4) return this.views[c].getUint32(off, true);
    return this.loadSlow(paddr, 4);
  }

  /** Signed 64-bit load as a number; throws UNSAFE_INTEGER when the value is not a safe integer. */
  load64(paddr: number): number {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    let lo: number;
    let hi: number;
    if (off <= CHUNK_BYTES - 8) {
      const v = this.views[c];
      lo = v.getUint32(off, true);
      hi = v.getInt32(off + 4, true);
    } else {
      lo = this.loadSlow(paddr, 4);
      hi = this.loadSlow(paddr + 4, 4) | 0;
    }
    // hi * 2^32 is exact; the sum rounds only when |value| > 2^53, which then fails the check.
    const value = hi * TWO32 + lo;
    if (value > MAX_SAFE || value < -MAX_SAFE) throw unsafeLoad(paddr, hi, lo);
    return value;
  }

  /** Like load64, but NaN (instead of an exception) when the value is not a safe integer: for callers that name the error themselves. */
  load64OrNaN(paddr: number): number {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    let value: number;
    if (off <= CHUNK_BYTES - 8) {
      const v = this.views[c];
      value = v.getInt32(off + 4, true) * TWO32 + v.getUint32(off, true);
    } else {
      value = (this.loadSlow(paddr + 4, 4) | 0) * TWO32 + this.loadSlow(paddr, 4);
    }
    return value > MAX_SAFE || value < -MAX_SAFE ? NaN : value;
  }

  store8(paddr: number, value: number): void {
    const c = (paddr * INV_CHUNK) | 0;
    let b = this.bytes[c];
    if (b === ZERO_BYTES) b = this.bytes[this.materialize(c)];
    b[paddr - c * CHUNK_BYTES] = value;
  }

  store16(paddr: number, value: number): void {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    if (off <= CHUNK_BYTES - 2) {
      let v = this.views[c];
      if (v === ZERO_VIEW) v = this.views[this.materialize(c)];
      v.setUint16(off, value, true);
    } else {
      this.storeSlow(paddr, value, 2);
    }
  }

  store32(paddr: number, value: number): void {
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    if (off <= CHUNK_BYTES - 4) {
      let v = this.views[c];
      if (v === ZERO_VIEW) v = this.views[this.materialize(c)];
      v.setUint32(off, value, true);
    } else {
      this.storeSlow(paddr, value, 4);
    }
  }

  /** Stores a safe integer as signed 64-bit two's complement; anything else throws UNSAFE_INTEGER. */
  store64(paddr: number, value: number): void {
    if (!Number.isSafeInteger(value)) throw unsafeStore(paddr, value);
    this.store64Checked(paddr, value);
  }

  /** store64 of a value the caller has already checked is a safe integer (the heap facade names its own error). */
  store64Checked(paddr: number, value: number): void {
    // ToUint32 is exact modulo 2^32 for any integer; floor division keeps the sign in hi.
    const lo = value >>> 0;
    const hi = Math.floor(value / TWO32) | 0;
    const c = (paddr * INV_CHUNK) | 0;
    const off = paddr - c * CHUNK_BYTES;
    if (off <= CHUNK_BYTES - 8) {
      let v = this.views[c];
      if (v === ZERO_VIEW) v = this.views[this.materialize(c)];
      v.setUint32(off, lo, true);
      v.setInt32(off + 4, hi, true);
    } else {
      this.storeSlow(paddr, lo, 4);
      this.storeSlow(paddr + 4, hi, 4);
    }
  }

  /** Copies `length` bytes at `paddr` into `dst` from `dstOffset`. */
  read(paddr: number, dst: Uint8Array, dstOffset = 0, length = dst.length - dstOffset): void {
    let done = 0;
    while (done < length) {
      const p = paddr + done;
      const c = (p * INV_CHUNK) | 0;
      const off = p - c * CHUNK_BYTES;
      const n = Math.min(length - done, CHUNK_BYTES - off);
      const src = this.bytes[c];
      // Short pieces byte by byte: a subarray view per piece would cost more than the copy.
      const d = dstOffset + done;
      if (n <= SHORT_COPY && d >= 0 && d + n <= dst.length) for (let i = 0; i < n; i++) dst[d + i] = src[off + i];
      else dst.set(src.subarray(off, off + n), d);
      done += n;
    }
  }

  /** Writes `length` bytes of `src` from `srcOffset` at `paddr`. */
  write(paddr: number, src: Uint8Array, srcOffset = 0, length = src.length - srcOffset): void {
    let done = 0;
    while (done < length) {
      const p = paddr + done;
      const c = (p * INV_CHUNK) | 0;
      const off = p - c * CHUNK_BYTES;
      const n = Math.min(length - done, CHUNK_BYTES - off);
      let b = this.bytes[c];
      if (b === ZERO_BYTES) {
        if (isZero(src, srcOffset + done, n)) {
          done += n;
          continue;
        }
        b = this.bytes[this.materialize(c)];
      }
      const from = srcOffset + done;
      if (n <= SHORT_COPY && from >= 0 && from + n <= src.length) for (let i = 0; i < n; i++) b[off + i] = src[from + i];
      else b.set(src.subarray(srcOffset + done, srcOffset + done + n), off);
      done += n;
    }
  }

  /**
   * Like write, with the bytes [srcPos, srcPos + length) of a word source
   * (no source array, whole words where they fit): the same bytes land and
   * the same chunks are materialized.
   */
  writeSource(paddr: number, length: number, src: WordSource, srcPos: number): void {
    let done = 0;
    while (done < length) {
      const p = paddr + done;
      const c = (p * INV_CHUNK) | 0;
      const off = p - c * CHUNK_BYTES;
      const n = Math.min(length - done, CHUNK_BYTES - off);
      let v = this.views[c];
      if (v === ZERO_VIEW) {
        if (sourceIsZero(src, srcPos + done, n)) {
          done += n;
          continue;
        }
        v = this.views[this.materialize(c)];
      }
      let i = 0;
      let q = srcPos + done;
      for (; i < n && (q & 3) !== 0; i++, q++) v.setUint8(off + i, (src.word(q >>> 2) >>> ((q & 3) * 8)) & 0xff);
      for (; i + 4 <= n; i += 4, q += 4) v.setUint32(off + i, src.word(q >>> 2), true);
      for (; i < n; i++, q++) v.setUint8(off + i, (src.word(q >>> 2) >>> ((q & 3) * 8)) & 0xff);
      done += n;
    }
  }

  /** Index of the first byte in [0, length) where memory at `paddr` differs from source bytes [srcPos, ...), or -1. */
  firstDifferenceFrom(paddr: number, length: number, src: WordSource, srcPos: number): number {
    let done = 0;
    while (done < length) {
      const p = paddr + done;
      const c = (p * INV_CHUNK) | 0;
      const off = p - c * CHUNK_BYTES;
      const n = Math.min(length - done, CHUNK_BYTES - off);
      const v = this.views[c];
      let i = 0;
      let q = srcPos + done;
      for (; i < n && (q & 3) !== 0; i++, q++) if (v.getUint8(off + i) !== ((src.word(q >>> 2) >>> ((q & 3) * 8)) & 0xff)) return done + i;
      for (; i + 4 <= n; i += 4, q += 4) if (v.getUint32(off + i, true) !== src.word(q >>> 2)) break;
      for (; i < n; i++, q++) if (v.getUint8(off + i) !== ((src.word(q >>> 2) >>> ((q & 3) * 8)) & 0xff)) return done + i;
      done += n;
    }
    return -1;
  }

  /** Sets `length` bytes at `paddr` to `byte`; zero-filling untouched chunks materializes nothing. */
  fill(paddr: number, byte: number, length: number): void {
    const value = byte & 0xff;
    let done = 0;
    while (done < length) {
      const p = paddr + done;
      const c = (p * INV_CHUNK) | 0;
      const off = p - c * CHUNK_BYTES;
      const n = Math.min(length - done, CHUNK_BYTES - off);
      let b = this.bytes[c];
      if (b === ZERO_BYTES) {
        if (value === 0) {
          done += n;
          continue;
        }
        b = this.bytes[this.materialize(c)];
      }
      b.fill(value, off, off + n);
      done += n;
    }
  }

  /** memmove within physical memory: the ranges may overlap. */
  copy(dstPaddr: number, srcPaddr: number, length: number): void {
    if (length <= 0 || dstPaddr === srcPaddr) return;
    // Copy in pieces that stay inside one chunk on both sides, in the direction that keeps overlap safe.
    const forward = dstPaddr < srcPaddr || dstPaddr >= srcPaddr + length;
    let remaining = length;
    while (remaining > 0) {
      let s: number;
      let d: number;
      let n: number;
      if (forward) {
        s = srcPaddr + (length - remaining);
        d = dstPaddr + (length - remaining);
        n = Math.min(remaining, CHUNK_BYTES - (s % CHUNK_BYTES), CHUNK_BYTES - (d % CHUNK_BYTES));
      } else {
        const sEnd = srcPaddr + remaining;
        const dEnd = dstPaddr + remaining;
        n = Math.min(remaining, ((sEnd - 1) % CHUNK_BYTES) + 1, ((dEnd - 1) % CHUNK_BYTES) + 1);
        s = sEnd - n;
        d = dEnd - n;
      }
      const sc = (s * INV_CHUNK) | 0;
      const dc = (d * INV_CHUNK) | 0;
      const so = s - sc * CHUNK_BYTES;
      const dOff = d - dc * CHUNK_BYTES;
      const src = this.bytes[sc];
      let dst = this.bytes[dc];
      if (dst === ZERO_BYTES) {
        if (src === ZERO_BYTES || isZero(src, so, n)) {
          remaining -= n;
          continue;
        }
        dst = this.bytes[this.materialize(dc)];
      }
      if (src === dst) dst.copyWithin(dOff, so, so + n);
      else dst.set(src.subarray(so, so + n), dOff);
      remaining -= n;
    }
  }

  /**
   * Powers the memory off: every chunk goes back to the pool of this process
   * (up to 64 MiB in all) and every byte reads as zero again. For a machine
   * that is done; using it afterwards is allowed but pointless.
   */
  release(): void {
    const bytes = this.bytes;
    for (let c = 0; c < bytes.length && this.materialized > 0; c++) {
      const b = bytes[c];
      if (b === ZERO_BYTES) continue;
      if (POOL.length < POOL_MAX) POOL.push(b.buffer as ArrayBuffer);
      bytes[c] = ZERO_BYTES;
      this.views[c] = ZERO_VIEW;
      this.materialized--;
    }
  }

  private materialize(c: number): number {
    const pooled = POOL.pop();
    // A pooled buffer holds a released memory's bytes: zeroed here, on reuse, not on release.
    if (pooled !== undefined) new Uint8Array(pooled).fill(0);
    const buffer = pooled ?? new ArrayBuffer(CHUNK_BYTES);
    this.views[c] = new DataView(buffer);
    this.bytes[c] = new Uint8Array(buffer);
    this.materialized++;
    return c;
  }

  private loadSlow(paddr: number, n: number): number {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.load8(paddr + i);
    return v;
  }

  private storeSlow(paddr: number, value: number, n: number): void {
    let v = value >>> 0;
    for (let i = 0; i < n; i++) {
      this.store8(paddr + i, v & 0xff);
      v >>>= 8;
    }
  }
}

function sourceIsZero(src: WordSource, pos: number, length: number): boolean {
  for (let q = pos, end = pos + length; q < end; q++) if (((src.word(q >>> 2) >>> ((q & 3) * 8)) & 0xff) !== 0) return false;
  return true;
}

function isZero(bytes: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset, end = offset + length; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

function unsafeLoad(paddr: number, hi: number, lo: number): MemarenaError {
  const bits = ((BigInt(hi >>> 0) << 32n) | BigInt(lo)).toString(16).padStart(16, "0");
  return new MemarenaError(ErrorCode.UNSAFE_INTEGER, `load64 at paddr 0x${paddr.toString(16)}: 0x${bits} is not a safe integer`, { paddr, bits });
}

function unsafeStore(paddr: number, value: number): MemarenaError {
  return new MemarenaError(ErrorCode.UNSAFE_INTEGER, `store64 at paddr 0x${paddr.toString(16)}: ${String(value)} is not a safe integer`, { paddr, value });
}
