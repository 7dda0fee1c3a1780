/**
 * A plain-JS implementation of the SDK `Heap` for plugin tests, standing in
 * for the simulated machine: a growable byte array behind `sbrk`, and
 * separate regions at high addresses behind `mmap`. Every access is
 * bounds-checked and a bad one throws a `FakeHeapFault`, so an allocator bug
 * shows up where it happens. There is no MMU, no TLB and no cost model.
 *
 * Beyond `Heap`, tests get raw byte access (`readBytes` / `writeBytes`) that
 * bypasses the allocator-visible API, and a few counters.
 */
import type { Heap, MmapOptions, Protection } from "memarena";

/** What `new FakeHeap()` accepts; every field has a default. */
export interface FakeHeapOptions {
  /** First heap address (default 0x400000). */
  readonly heapStart?: number;
  /** How far the break may grow, in bytes (default 64 MiB). */
  readonly heapLimit?: number;
  /** Payload alignment the allocator must honour (default 16). */
  readonly alignment?: number;
  /** Base page size (default 4096). */
  readonly pageSize?: number;
  /** Huge page sizes offered (default [2 MiB]); empty makes every huge mmap fail. */
  readonly hugePageSizes?: readonly number[];
  /** Total bytes `mmap` may hand out (default 1 GiB); past it, mmap returns -1. */
  readonly mmapLimit?: number;
}

/** A bad access: out of the heap and of every mapped region, or against a page's protection. */
export class FakeHeapFault extends Error {
  constructor(
    readonly vaddr: number,
    readonly length: number,
    readonly access: "read" | "write",
    reason: string,
  ) {
    super(`fake heap fault: ${access} of ${length} byte(s) at 0x${vaddr.toString(16)}: ${reason}`);
    this.name = "FakeHeapFault";
  }
}

const PROT_NONE = 0;
const PROT_R = 1;
const PROT_RW = 2;
const PROT_CODES: Readonly<Record<Protection, number>> = { none: PROT_NONE, r: PROT_R, rw: PROT_RW };

const MMAP_BASE = 0x7f00_0000_0000;
const MIB = 1024 * 1024;

/** A region made by `mmap`. */
export interface MappedRegion {
  readonly base: number;
  readonly length: number;
  readonly hugePage: boolean;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** One protection code per base page. */
  readonly prot: Uint8Array;
}

/** The fake heap. */
export class FakeHeap implements Heap {
  readonly heapStart: number;
  readonly alignment: number;
  readonly pageSize: number;
  readonly hugePageSizes: readonly number[];
  readonly registers = new Float64Array(16);

  /** mmap calls that succeeded, and how many of them were huge-page backed. */
  readonly stats = { mmaps: 0, hugeMmaps: 0, munmaps: 0, failedMmaps: 0 };

  private readonly heapLimit: number;
  private readonly mmapLimit: number;
  private brk: number;
  private bytes = new Uint8Array(4096);
  private view = new DataView(this.bytes.buffer);
  private readonly regions: MappedRegion[] = [];
  private nextMapAddr = MMAP_BASE;
  private mappedBytes = 0;

  // The result of the last `locate`: the view and offset to use.
  private hitView: DataView = this.view;
  private hitOffset = 0;

  constructor(options: FakeHeapOptions = {}) {
    this.heapStart = options.heapStart ?? 0x40_0000;
    this.heapLimit = options.heapLimit ?? 64 * MIB;
    this.alignment = options.alignment ?? 16;
    this.pageSize = options.pageSize ?? 4096;
    this.hugePageSizes = options.hugePageSizes ?? [2 * MIB];
    this.mmapLimit = options.mmapLimit ?? 1024 * MIB;
    this.brk = this.heapStart;
  }

  get heapEnd(): number {
    return this.brk;
  }

  sbrk(increment: number): number {
    if (!isSafeInteger(increment) || increment < 0) {
      throw new RangeError(`sbrk: increment must be a non-negative safe integer, got ${increment}`);
    }
    const newBrk = this.brk + increment;
    if (newBrk - this.heapStart > this.heapLimit) return -1;
    const needed = newBrk - this.heapStart;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const old = this.brk;
    this.brk = newBrk;
    return old;
  }

  mmap(length: number, options: MmapOptions = {}): number {
    if (!isSafeInteger(length) || length <= 0) return this.failMmap();
    const hugePage = options.hugePage === true;
    const granule = hugePage ? this.hugePageSizes[0] : this.pageSize;
    if (granule === undefined) return this.failMmap();
    const rounded = roundUp(length, granule);
    if (this.mappedBytes + rounded > this.mmapLimit) return this.failMmap();
    const base = roundUp(this.nextMapAddr, granule);
    // Leave an unmapped page after each region, so regions never touch.
    this.nextMapAddr = base + rounded + this.pageSize;
    const bytes = new Uint8Array(rounded);
    const prot = new Uint8Array(rounded / this.pageSize).fill(PROT_RW);
    this.regions.push({ base, length: rounded, hugePage, bytes, view: new DataView(bytes.buffer), prot });
    this.mappedBytes += rounded;
    this.stats.mmaps++;
    if (hugePage) this.stats.hugeMmaps++;
    return base;
  }

  /** Only whole regions can be unmapped here (a limitation of the fake). */
  munmap(addr: number, length: number): number {
    const index = this.regions.findIndex((r) => r.base === addr);
    if (index < 0) return -1;
    const region = this.regions[index];
    const granule = region.hugePage ? this.hugePageSizes[0] : this.pageSize;
    if (length <= 0 || roundUp(length, granule) !== region.length) return -1;
    this.regions.splice(index, 1);
    this.mappedBytes -= region.length;
    this.stats.munmaps++;
    return 0;
  }

  /** Only pages of mapped regions can be protected here. */
  mprotect(addr: number, length: number, prot: Protection): number {
    const region = this.regionOf(addr);
    if (!region || addr % this.pageSize !== 0 || length <= 0) return -1;
    const end = addr + roundUp(length, this.pageSize);
    if (end > region.base + region.length) return -1;
    region.prot.fill(PROT_CODES[prot], (addr - region.base) / this.pageSize, (end - region.base) / this.pageSize);
    return 0;
  }

  load8(addr: number): number {
    this.locate(addr, 1, "read");
    return this.hitView.getUint8(this.hitOffset);
  }

  load16(addr: number): number {
    this.locate(addr, 2, "read");
    return this.hitView.getUint16(this.hitOffset, true);
  }

  load32(addr: number): number {
    this.locate(addr, 4, "read");
    return this.hitView.getUint32(this.hitOffset, true);
  }

  load64(addr: number): number {
    this.locate(addr, 8, "read");
    const lo = this.hitView.getUint32(this.hitOffset, true);
    const hi = this.hitView.getInt32(this.hitOffset + 4, true);
    const value = hi * 0x1_0000_0000 + lo;
    if (!isSafeInteger(value)) {
      throw new FakeHeapFault(addr, 8, "read", "load64 of a value that is not a safe integer");
    }
    return value;
  }

  store8(addr: number, value: number): void {
    this.locate(addr, 1, "write");
    this.hitView.setUint8(this.hitOffset, value & 0xff);
  }

  store16(addr: number, value: number): void {
    this.locate(addr, 2, "write");
    this.hitView.setUint16(this.hitOffset, value & 0xffff, true);
  }

  store32(addr: number, value: number): void {
    this.locate(addr, 4, "write");
    this.hitView.setUint32(this.hitOffset, value >>> 0, true);
  }

  store64(addr: number, value: number): void {
    if (!isSafeInteger(value)) {
      throw new FakeHeapFault(addr, 8, "write", `store64 of ${value}, which is not a safe integer`);
    }
    this.locate(addr, 8, "write");
    // Two's complement in two 32-bit halves: lo in [0, 2^32), hi signed.
    const lo = ((value % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
    this.hitView.setUint32(this.hitOffset, lo, true);
    this.hitView.setInt32(this.hitOffset + 4, (value - lo) / 0x1_0000_0000, true);
  }

  copy(dst: number, src: number, n: number): void {
    if (n === 0) return;
    const from = this.slice(src, n, "read");
    const to = this.slice(dst, n, "write");
    if (from.buffer === to.buffer) {
      new Uint8Array(to.buffer).copyWithin(to.byteOffset, from.byteOffset, from.byteOffset + n);
    } else {
      to.set(from);
    }
  }

  fill(addr: number, byte: number, n: number): void {
    if (n === 0) return;
    this.slice(addr, n, "write").fill(byte & 0xff);
  }

  // ---- test-only helpers (not part of the SDK Heap) ----

  /** A copy of `n` bytes at `addr` (checked like a read). */
  readBytes(addr: number, n: number): Uint8Array {
    return this.slice(addr, n, "read").slice();
  }

  /** Writes `data` at `addr` (checked like a write). */
  writeBytes(addr: number, data: Uint8Array): void {
    this.slice(addr, data.length, "write").set(data);
  }

  /** True when `[addr, addr + n)` lies inside the heap or inside one read-write mapped region. */
  isAddressable(addr: number, n: number): boolean {
    if (addr >= this.heapStart && addr + n <= this.brk) return true;
    const region = this.regionOf(addr);
    if (!region || addr + n > region.base + region.length) return false;
    return this.protAllows(region, addr, n, "write");
  }

  /** The mapped region holding `addr`, if any. */
  regionOf(addr: number): MappedRegion | undefined {
    for (const region of this.regions) {
      if (addr >= region.base && addr < region.base + region.length) return region;
    }
    return undefined;
  }

  /** Bytes currently mapped with mmap. */
  get mmappedBytes(): number {
    return this.mappedBytes;
  }

  private failMmap(): number {
    this.stats.failedMmaps++;
    return -1;
  }

  private protAllows(region: MappedRegion, addr: number, n: number, access: "read" | "write"): boolean {
    const need = access === "read" ? PROT_R : PROT_RW;
    const first = Math.floor((addr - region.base) / this.pageSize);
    const last = Math.floor((addr + n - 1 - region.base) / this.pageSize);
    for (let page = first; page <= last; page++) {
      if (region.prot[page] < need) return false;
    }
    return true;
  }

  /** Sets `hitView` / `hitOffset` for an access, or throws a fault. */
  private locate(addr: number, n: number, access: "read" | "write"): void {
    if (!isSafeInteger(addr)) throw new FakeHeapFault(addr, n, access, "address is not a safe integer");
    if (addr >= this.heapStart && addr + n <= this.brk) {
      this.hitView = this.view;
      this.hitOffset = addr - this.heapStart;
      return;
    }
    const region = this.regionOf(addr);
    if (!region || addr + n > region.base + region.length) {
      throw new FakeHeapFault(addr, n, access, "outside the heap and every mapped region");
    }
    if (!this.protAllows(region, addr, n, access)) {
      throw new FakeHeapFault(addr, n, access, "page protection");
    }
    this.hitView = region.view;
    this.hitOffset = addr - region.base;
  }

  /** A live view of `n` bytes at `addr`, or throws a fault. */
  private slice(addr: number, n: number, access: "read" | "write"): Uint8Array {
    if (!isSafeInteger(n) || n < 0) throw new RangeError(`bad length ${n}`);
    this.locate(addr, n, access);
    const buffer = this.hitView.buffer as ArrayBuffer;
    return new Uint8Array(buffer, this.hitOffset, n);
  }
}

/**
 * Number.isSafeInteger without the call: inside jest's VM context built-ins
 * such as Number.isSafeInteger and Math.floor cost ~200 ns a call, which made
 * the hottest path (every load and store) slow.
 */
function isSafeInteger(n: number): boolean {
  return n % 1 === 0 && n <= Number.MAX_SAFE_INTEGER && n >= -Number.MAX_SAFE_INTEGER;
}

function roundUp(value: number, granule: number): number {
  return Math.ceil(value / granule) * granule;
}
