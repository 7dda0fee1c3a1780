/**
 * Radix page tables stored in simulated physical memory.
 *
 * A table at level i (0 = root) has 2^levelBits[i] entries of pteBytes each
 * and occupies 2^tableOrder[i] frames from the FrameTable, counted as
 * page-table memory. Entry layout (4 or 8 bytes, little-endian):
 *
 * | bits              | meaning                                                   |
 * |-------------------|-----------------------------------------------------------|
 * | 0..9              | flags: constants.ts PTE_* (present, writable, user, ...)  |
 * | addrShift..       | frame number << addrShift                                 |
 *
 * addrShift = max(pageShift, 10): with pages of 1 KiB or more the address
 * field is the frame's physical address (x86 style); smaller pages shift the
 * frame number above the flag bits. An entry at the last level, or one with
 * PTE_HUGE above it, is a leaf; any other present entry points to the next
 * table. Intermediate entries are always present|writable|user: permissions
 * live in leaves (the walker still ANDs them along the path, as x86 does).
 *
 * Huge leaves are atomic: map/unmap/protect of a smaller page inside one is
 * refused (PT_CONFLICT), never split.
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import { ErrorCode, MemarenaError } from "../errors";
import type { NormalizedMachine } from "./config";
import { PTE_HUGE, PTE_PRESENT, PTE_USER, PTE_WRITABLE } from "./constants";
import { FRAME_TABLE as USE_TABLE, type FrameTable } from "./frames";
import type { PhysicalMemory } from "./physical-memory";
import { FRAME_TABLE, MACHINE_CONFIG, PHYSICAL_MEMORY } from "./tokens";

/** The flag bits of an entry (bits 0..9). */
export const PTE_FLAG_MASK = 0x3ff;
/** Result: no frame for a page table. */
export const PT_NO_FRAMES = -1;
/** Result: a leaf of another size (or a table) is in the way. */
export const PT_CONFLICT = -2;
/** Result: nothing mapped there. */
export const PT_NOT_MAPPED = -3;

const TWO32 = 4294967296;
const TABLE_FLAGS = PTE_PRESENT | PTE_WRITABLE | PTE_USER;

/** A leaf found by a software walk. */
export interface Leaf {
  /** Level index of the leaf (0 = root). */
  readonly level: number;
  /** log2 of the page size it maps. */
  readonly pageShift: number;
  /** Physical address of the entry. */
  readonly pteAddr: number;
  readonly flags: number;
  /** Physical address of the mapped page (or frame) start. */
  readonly framePaddr: number;
}

/** Page-table layout and editing for one machine geometry. */
@injectable()
export class PageTables {
  /** Number of levels. */
  readonly levels: number;
  /** Bytes per entry. */
  readonly pteBytes: 4 | 8;
  /** Bytes a leaf at level i maps (2^levelShifts[i]). */
  readonly levelSize: Float64Array;
  /** Entries per table at level i. */
  readonly entries: Float64Array;
  /**
   * Live leaves per page shift, over every table this instance edits. The MMU
   * skips TLB probes for a page size with no leaf: no TLB can hold a valid
   * entry for it, because every unmap invalidates the TLBs.
   */
  readonly leafCount = new Float64Array(64);
  /** 2^-levelShifts[i] and 2^-levelBits[i]: leafAt's divisions as exact multiplies. */
  private readonly levelInv: Float64Array;
  private readonly entriesInv: Float64Array;
  /** Level index of the leaf found by the last successful leafAt. */
  leafLevel = 0;
  /** Physical address of the page mapped by the leaf found by the last successful leafAt (frameAt of its entry). */
  leafFrame = 0;
  /** Frame order of a table at level i. */
  readonly tableOrder: Int32Array;
  /** Multiply an address field by this to get a physical address (2^(pageShift - addrShift)). */
  readonly addrScale: number;
  private readonly addrUnit: number;
  private readonly pageSize: number;
  private readonly levelShifts: readonly number[];

  constructor(
    @inject(MACHINE_CONFIG) config: NormalizedMachine,
    @inject(PHYSICAL_MEMORY) private readonly mem: PhysicalMemory,
    @inject(FRAME_TABLE) private readonly frames: FrameTable,
  ) {
    const pg = config.paging;
    this.levels = pg.levels;
    this.pteBytes = pg.pteBytes;
    this.pageSize = pg.pageSize;
    this.levelShifts = pg.levelShifts;
    this.levelSize = Float64Array.from(pg.levelShifts, (s) => 2 ** s);
    this.entries = Float64Array.from(pg.levelBits, (b) => 2 ** b);
    this.levelInv = Float64Array.from(pg.levelShifts, (sh) => 2 ** -sh);
    this.entriesInv = Float64Array.from(pg.levelBits, (b) => 2 ** -b);
    this.tableOrder = Int32Array.from(pg.levelBits, (b) => {
      const bytes = 2 ** b * pg.pteBytes;
      return bytes <= pg.pageSize ? 0 : Math.ceil(Math.log2(bytes / pg.pageSize));
    });
    const addrShift = Math.max(pg.pageShift, 10);
    this.addrUnit = 2 ** addrShift;
    this.addrScale = 2 ** (pg.pageShift - addrShift);
    const frameCount = config.physicalMemoryBytes / pg.pageSize;
    if (pg.pteBytes === 4 && frameCount * this.addrUnit > TWO32) {
      throw new MemarenaError(ErrorCode.INVALID_MACHINE, `4-byte page-table entries cannot address ${config.physicalMemoryBytes} bytes of physical memory`, { pteBytes: 4, physicalMemoryBytes: config.physicalMemoryBytes });
    }
  }

  /** The level index whose leaves map pages of 2^pageShift bytes, or -1. */
  levelOfShift(pageShift: number): number {
    return this.levelShifts.indexOf(pageShift);
  }

  /** Allocates and zeroes a root table owned by `owner`; returns its physical address or -1. */
  createRoot(owner: number): number {
    return this.newTable(0, owner);
  }

  /** Physical address of the entry for `vaddr` in the level-`level` table at `tablePaddr`. */
  entryAddr(tablePaddr: number, vaddr: number, level: number): number {
    return tablePaddr + (Math.floor(vaddr / this.levelSize[level]) % this.entries[level]) * this.pteBytes;
  }

  /** Flag bits of the entry at `pteAddr`. */
  flagsAt(pteAddr: number): number {
    return this.mem.load32(pteAddr) & PTE_FLAG_MASK;
  }

  /** Physical address the entry at `pteAddr` points to (table or page). */
  frameAt(pteAddr: number): number {
    const lo = this.mem.load32(pteAddr);
    const hi = this.pteBytes === 8 ? this.mem.load32(pteAddr + 4) : 0;
    return (hi * TWO32 + (lo - (lo & PTE_FLAG_MASK))) * this.addrScale;
  }

  /** Writes an entry pointing at `framePaddr` with `flags`. */
  writeEntry(pteAddr: number, framePaddr: number, flags: number): void {
    const field = (framePaddr / this.pageSize) * this.addrUnit;
    const lo = field % TWO32;
    this.mem.store32(pteAddr, (lo + (flags & PTE_FLAG_MASK)) >>> 0);
    if (this.pteBytes === 8) this.mem.store32(pteAddr + 4, Math.floor(field / TWO32));
  }

  /** Sets flag bits in place (accessed/dirty/protection changes). */
  setFlags(pteAddr: number, flags: number): void {
    const lo = this.mem.load32(pteAddr);
    this.mem.store32(pteAddr, ((lo - (lo & PTE_FLAG_MASK)) + (flags & PTE_FLAG_MASK)) >>> 0);
  }

  /**
   * Maps the page at `vaddr` (aligned to the leaf size of `leafLevel`) onto
   * `framePaddr` with leaf `flags`, creating tables as needed (owned by
   * `owner`). Returns 0, PT_NO_FRAMES or PT_CONFLICT (something is already
   * mapped there, or a huge leaf covers it, or a table sits where a huge leaf
   * would go).
   */
  map(root: number, vaddr: number, framePaddr: number, leafLevel: number, flags: number, owner: number): number {
    let table = root;
    for (let i = 0; i < leafLevel; i++) {
      const e = this.entryAddr(table, vaddr, i);
      const f = this.flagsAt(e);
      if ((f & PTE_PRESENT) === 0) {
        const t = this.newTable(i + 1, owner);
        if (t < 0) return PT_NO_FRAMES;
        this.writeEntry(e, t, TABLE_FLAGS);
        table = t;
      } else if ((f & PTE_HUGE) !== 0) {
        return PT_CONFLICT;
      } else {
        table = this.frameAt(e);
      }
    }
    const e = this.entryAddr(table, vaddr, leafLevel);
    const old = this.flagsAt(e);
    if ((old & PTE_PRESENT) !== 0) {
      // A huge leaf may replace a table that maps nothing any more (its pages were unmapped).
      const emptyTable = leafLevel < this.levels - 1 && (old & PTE_HUGE) === 0 && this.isEmpty(this.frameAt(e), leafLevel + 1);
      if (!emptyTable) return PT_CONFLICT;
      this.destroyTable(this.frameAt(e), leafLevel + 1);
    }
    const huge = leafLevel < this.levels - 1 ? PTE_HUGE : 0;
    this.writeEntry(e, framePaddr, (flags & ~PTE_HUGE) | PTE_PRESENT | huge);
    this.leafCount[this.levelShifts[leafLevel]]++;
    return 0;
  }

  /**
   * The entry address of the leaf of level `leafLevel` covering `vaddr`, or
   * PT_NOT_MAPPED, or PT_CONFLICT when a leaf of another level covers it.
   */
  leafEntry(root: number, vaddr: number, leafLevel: number): number {
    let table = root;
    for (let i = 0; i < this.levels; i++) {
      const e = this.entryAddr(table, vaddr, i);
      const f = this.flagsAt(e);
      if ((f & PTE_PRESENT) === 0) return PT_NOT_MAPPED;
      const leaf = i === this.levels - 1 || (f & PTE_HUGE) !== 0;
      if (i === leafLevel) return leaf ? e : PT_CONFLICT;
      if (leaf) return PT_CONFLICT;
      table = this.frameAt(e);
    }
    return PT_NOT_MAPPED;
  }

  /** Clears the leaf of `leafLevel` at `vaddr`; returns the page's physical address, PT_NOT_MAPPED or PT_CONFLICT. */
  unmap(root: number, vaddr: number, leafLevel: number): number {
    const e = this.leafEntry(root, vaddr, leafLevel);
    if (e < 0) return e;
    const frame = this.frameAt(e);
    this.mem.store32(e, 0);
    if (this.pteBytes === 8) this.mem.store32(e + 4, 0);
    this.leafCount[this.levelShifts[leafLevel]]--;
    return frame;
  }

  /**
   * Software walk (no TLB, no counters, no allocation): the entry address of
   * the leaf covering `vaddr`, or -1; the leaf's level is left in `leafLevel`
   * and the page's physical address in `leafFrame`.
   */
  leafAt(root: number, vaddr: number): number {
    if (root < 0) return -1;
    let table = root;
    const last = this.levels - 1;
    for (let i = 0; i <= last; i++) {
      // entryAddr with exact power-of-two multiplies instead of a division and a (slow) fmod.
      const x = Math.floor(vaddr * this.levelInv[i]);
      const e = table + (x - Math.floor(x * this.entriesInv[i]) * this.entries[i]) * this.pteBytes;
      const lo = this.mem.load32(e);
      if ((lo & PTE_PRESENT) === 0) return -1;
      const hi = this.pteBytes === 8 ? this.mem.load32(e + 4) : 0;
      const frame = (hi * TWO32 + (lo - (lo & PTE_FLAG_MASK))) * this.addrScale;
      if (i === last || (lo & PTE_HUGE) !== 0) {
        this.leafLevel = i;
        this.leafFrame = frame;
        return e;
      }
      table = frame;
    }
    return -1;
  }

  /** Software walk (no TLB, no counters): the leaf covering `vaddr`, or null. */
  lookup(root: number, vaddr: number): Leaf | null {
    if (root < 0) return null;
    let table = root;
    for (let i = 0; i < this.levels; i++) {
      const e = this.entryAddr(table, vaddr, i);
      const f = this.flagsAt(e);
      if ((f & PTE_PRESENT) === 0) return null;
      if (i === this.levels - 1 || (f & PTE_HUGE) !== 0) {
        return { level: i, pageShift: this.levelShifts[i], pteAddr: e, flags: f, framePaddr: this.frameAt(e) };
      }
      table = this.frameAt(e);
    }
    return null;
  }

  /** Frees every table reachable from `root`, root included (not the data frames). */
  destroy(root: number): void {
    this.destroyTable(root, 0);
  }

  /** Number of table frames reachable from `root` (tests, pictures). */
  countTableFrames(root: number): number {
    let n = 2 ** this.tableOrder[0];
    const visit = (table: number, level: number): void => {
      if (level === this.levels - 1) return;
      for (let k = 0; k < this.entries[level]; k++) {
        const e = table + k * this.pteBytes;
        const f = this.flagsAt(e);
        if ((f & PTE_PRESENT) !== 0 && (f & PTE_HUGE) === 0) {
          n += 2 ** this.tableOrder[level + 1];
          visit(this.frameAt(e), level + 1);
        }
      }
    };
    visit(root, 0);
    return n;
  }

  /** True when no leaf is mapped anywhere below the table. */
  private isEmpty(table: number, level: number): boolean {
    for (let k = 0; k < this.entries[level]; k++) {
      const e = table + k * this.pteBytes;
      const f = this.flagsAt(e);
      if ((f & PTE_PRESENT) === 0) continue;
      if (level === this.levels - 1 || (f & PTE_HUGE) !== 0 || !this.isEmpty(this.frameAt(e), level + 1)) return false;
    }
    return true;
  }

  private destroyTable(table: number, level: number): void {
    if (level < this.levels - 1) {
      for (let k = 0; k < this.entries[level]; k++) {
        const e = table + k * this.pteBytes;
        const f = this.mem.load32(e) & PTE_FLAG_MASK;
        if ((f & PTE_PRESENT) !== 0 && (f & PTE_HUGE) === 0) this.destroyTable(this.frameAt(e), level + 1);
      }
    }
    this.frames.free(table / this.pageSize);
  }

  private newTable(level: number, owner: number): number {
    const order = this.tableOrder[level];
    const pfn = this.frames.alloc(order, USE_TABLE, owner);
    if (pfn < 0) return -1;
    const paddr = pfn * this.pageSize;
    // Frames are reused: a new table must start empty.
    this.mem.fill(paddr, 0, 2 ** order * this.pageSize);
    return paddr;
  }
}
