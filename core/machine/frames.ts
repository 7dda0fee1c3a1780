/**
 * Physical frames: the machine's built-in buddy allocator (the default
 * FrameAllocator) and the FrameTable that wraps whichever allocator is
 * configured, counting frames in use and remembering who owns each
 * allocation (a process, the kernel, a device) for DMA checks.
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import { ErrorCode, MemarenaError } from "../errors";
import type { FrameAllocator, Frames } from "../sdk/types";
import type { NormalizedMachine } from "./config";
import { C_DATA_FRAMES, C_PAGE_TABLE_FRAMES, C_PEAK_FRAMES } from "./constants";
import { COUNTERS, FRAME_ALLOCATOR, MACHINE_CONFIG } from "./tokens";

/** The `Frames` description of a machine: frame count, frame size, largest order it asks for. */
export function framesOf(config: NormalizedMachine): Frames {
  const { pageShift, hugePageShifts } = config.paging;
  const maxHuge = hugePageShifts.length > 0 ? hugePageShifts[hugePageShifts.length - 1] : pageShift;
  return { count: config.physicalMemoryBytes / config.paging.pageSize, frameSize: config.paging.pageSize, maxOrder: maxHuge - pageShift };
}

/** Frames per page of the buddy allocator's per-frame fields. */
const PAGE_FRAMES = 1 << 14;
const NEXT = 0;
const PREV = 1;
const FREE_ORDER = 2;

/**
 * Binary buddy allocator over typed arrays.
 *
 * Free blocks of each order sit on a doubly linked list threaded through
 * per-frame `next`/`prev` fields (only a block's first frame is used);
 * `freeOrder` is order + 1 for the first frame of a free block, 0 otherwise.
 * The three fields live in pages of PAGE_FRAMES frames, allocated on first
 * write (an untouched page reads as zeros), so a 16 GiB machine neither
 * allocates nor zeroes per-frame arrays for frames no block starts at.
 * Allocation takes the smallest free block that fits and splits it, putting
 * upper halves back; free coalesces with the buddy (pfn XOR 2^order) while it
 * is free. Lists are LIFO, so the allocator is deterministic.
 */
export class BuddyAllocator implements FrameAllocator {
  /** Largest order of a block (bounded by the frame count). */
  readonly topOrder: number;
  /** Frames currently free. */
  freeFrames = 0;
  private readonly count: number;
  /** Per-frame fields, PAGE_FRAMES frames a page: [next, prev, freeOrder] at (pfn & PAGE_MASK) * 3. */
  private readonly pages: (Int32Array | undefined)[];
  private readonly heads: Int32Array;

  constructor(frames: Frames) {
    const count = frames.count;
    if (!Number.isSafeInteger(count) || count < 1 || count > 2 ** 31 - 1) throw new RangeError(`buddy allocator: ${count} frames`);
    this.count = count;
    this.topOrder = Math.min(30, Math.floor(Math.log2(count)));
    this.pages = new Array<Int32Array | undefined>(Math.ceil(count / PAGE_FRAMES)).fill(undefined);
    this.heads = new Int32Array(this.topOrder + 1).fill(-1);
    // Carve [0, count) into maximal naturally aligned blocks.
    let pfn = 0;
    while (pfn < count) {
      let order = this.topOrder;
      while (order > 0 && (pfn % 2 ** order !== 0 || pfn + 2 ** order > count)) order--;
      this.push(pfn, order);
      this.freeFrames += 2 ** order;
      pfn += 2 ** order;
    }
  }

  /** First frame of 2^order free aligned frames, or -1. */
  alloc(order: number): number {
    if (!(order >= 0 && order <= this.topOrder) || !Number.isInteger(order)) return -1;
    let o = order;
    while (o <= this.topOrder && this.heads[o] < 0) o++;
    if (o > this.topOrder) return -1;
    const pfn = this.heads[o];
    this.remove(pfn, o);
    while (o > order) {
      o--;
      this.push(pfn + 2 ** o, o);
    }
    this.freeFrames -= 2 ** order;
    return pfn;
  }

  /** Returns a block from alloc(order); coalesces with free buddies. */
  free(frame: number, order: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.count || !(order >= 0 && order <= this.topOrder) || frame % 2 ** order !== 0) {
      throw new MemarenaError(ErrorCode.INTERNAL, `buddy free(${frame}, ${order}): not a block this allocator hands out`, { frame, order });
    }
    if (this.field(frame, FREE_ORDER) !== 0) {
      throw new MemarenaError(ErrorCode.INTERNAL, `buddy free(${frame}, ${order}): already free`, { frame, order });
    }
    this.freeFrames += 2 ** order;
    let pfn = frame;
    let o = order;
    while (o < this.topOrder) {
      const buddy = pfn ^ (1 << o);
      if (buddy + 2 ** o > this.count || this.field(buddy, FREE_ORDER) !== o + 1) break;
      this.remove(buddy, o);
      pfn = Math.min(pfn, buddy);
      o++;
    }
    this.push(pfn, o);
  }

  /** Free block count per order (tests, pictures). */
  freeBlocks(): number[] {
    const out: number[] = [];
    for (let o = 0; o <= this.topOrder; o++) {
      let n = 0;
      for (let p = this.heads[o]; p >= 0; p = this.field(p, NEXT)) n++;
      out.push(n);
    }
    return out;
  }

  private push(pfn: number, order: number): void {
    const head = this.heads[order];
    this.setField(pfn, NEXT, head);
    this.setField(pfn, PREV, -1);
    if (head >= 0) this.setField(head, PREV, pfn);
    this.heads[order] = pfn;
    this.setField(pfn, FREE_ORDER, order + 1);
  }

  private remove(pfn: number, order: number): void {
    const n = this.field(pfn, NEXT);
    const p = this.field(pfn, PREV);
    if (p >= 0) this.setField(p, NEXT, n);
    else this.heads[order] = n;
    if (n >= 0) this.setField(n, PREV, p);
    this.setField(pfn, FREE_ORDER, 0);
  }

  /** A per-frame field (NEXT, PREV, FREE_ORDER); 0 on a page never written. */
  private field(pfn: number, f: number): number {
    const page = this.pages[Math.floor(pfn / PAGE_FRAMES)];
    return page === undefined ? 0 : page[(pfn % PAGE_FRAMES) * 3 + f];
  }

  private setField(pfn: number, f: number, value: number): void {
    const i = Math.floor(pfn / PAGE_FRAMES);
    let page = this.pages[i];
    if (page === undefined) page = this.pages[i] = new Int32Array(PAGE_FRAMES * 3);
    page[(pfn % PAGE_FRAMES) * 3 + f] = value;
  }
}

/** What an allocation of frames is used for. */
export const FRAME_DATA = 0;
/** Frames holding page tables. */
export const FRAME_TABLE = 1;
/** A frame use code. */
export type FrameUse = typeof FRAME_DATA | typeof FRAME_TABLE;

/** Owner code of the kernel itself; devices get further negative codes from FrameTable.tagOwner. */
export const OWNER_KERNEL = -1;

/** One allocation as FrameTable records it. */
export interface FrameAllocation {
  readonly pfn: number;
  readonly order: number;
  readonly use: FrameUse;
  /** pid (>= 0) or a negative tag code (kernel, device). */
  readonly owner: number;
}

/**
 * Wraps the configured FrameAllocator: counts data and page-table frames and
 * the peak (counters C_DATA_FRAMES, C_PAGE_TABLE_FRAMES, C_PEAK_FRAMES), and
 * keeps each allocation's owner in a sparse map keyed by first frame. A
 * plugin allocator's answers are checked (in range, aligned, not overlapping a
 * live allocation); a violation is a PLUGIN_CONTRACT error.
 */
@injectable()
export class FrameTable {
  /** Frames of physical memory. */
  readonly count: number;
  /** Bytes per frame. */
  readonly frameSize: number;
  /** The largest order the machine asks for (a huge page's order). */
  readonly maxOrder: number;
  private readonly allocations = new Map<number, number>();
  private readonly tags = new Map<string, number>([["kernel", OWNER_KERNEL]]);
  private readonly tagNames = new Map<number, string>([[OWNER_KERNEL, "kernel"]]);
  private largestOrder = 0;
  private readonly trusted: boolean;

  constructor(
    @inject(FRAME_ALLOCATOR) private readonly allocator: FrameAllocator,
    @inject(MACHINE_CONFIG) config: NormalizedMachine,
    @inject(COUNTERS) private readonly counters: Float64Array,
  ) {
    const f = framesOf(config);
    this.count = f.count;
    this.frameSize = f.frameSize;
    this.maxOrder = f.maxOrder;
    this.trusted = allocator instanceof BuddyAllocator;
  }

  /** Frames in use (data + page tables). */
  get inUse(): number {
    return this.counters[C_DATA_FRAMES] + this.counters[C_PAGE_TABLE_FRAMES];
  }

  /** Allocates 2^order frames for `owner`; returns the first pfn or -1. */
  alloc(order: number, use: FrameUse, owner: number): number {
    const pfn = this.allocator.alloc(order);
    if (pfn === -1) return -1;
    if (!this.trusted) this.verify(pfn, order);
    this.allocations.set(pfn, (owner * 2 + use) * 64 + order);
    if (order > this.largestOrder) this.largestOrder = order;
    const n = 2 ** order;
    this.counters[use === FRAME_TABLE ? C_PAGE_TABLE_FRAMES : C_DATA_FRAMES] += n;
    const total = this.inUse;
    if (total > this.counters[C_PEAK_FRAMES]) this.counters[C_PEAK_FRAMES] = total;
    return pfn;
  }

  /** Frees the allocation starting at `pfn` (any order it was made with). */
  free(pfn: number): void {
    const rec = this.allocations.get(pfn);
    if (rec === undefined) throw new MemarenaError(ErrorCode.INTERNAL, `frame ${pfn} is not the start of a live allocation`, { pfn });
    this.allocations.delete(pfn);
    const { order, use } = decode(pfn, rec);
    this.counters[use === FRAME_TABLE ? C_PAGE_TABLE_FRAMES : C_DATA_FRAMES] -= 2 ** order;
    this.allocator.free(pfn, order);
  }

  /** The live allocation covering frame `pfn`, or undefined. */
  allocationOf(pfn: number): FrameAllocation | undefined {
    for (let o = 0; o <= this.largestOrder; o++) {
      const start = pfn - (pfn % 2 ** o);
      const rec = this.allocations.get(start);
      if (rec !== undefined) {
        const a = decode(start, rec);
        if (pfn < start + 2 ** a.order) return a;
      }
    }
    return undefined;
  }

  /** The owner code of frame `pfn` (pid >= 0, negative tag), or undefined when free. */
  ownerOf(pfn: number): number | undefined {
    return this.allocationOf(pfn)?.owner;
  }

  /** The negative owner code for a named kernel or device tag (made on first use). */
  tagOwner(name: string): number {
    let code = this.tags.get(name);
    if (code === undefined) {
      code = -1 - this.tags.size;
      this.tags.set(name, code);
      this.tagNames.set(code, name);
    }
    return code;
  }

  /** The tag name of a negative owner code, or `pid:<n>` for a process. */
  ownerName(owner: number): string {
    return owner >= 0 ? `pid:${owner}` : (this.tagNames.get(owner) ?? `tag:${owner}`);
  }

  private verify(pfn: number, order: number): void {
    const bad = (why: string): never => {
      throw new MemarenaError(ErrorCode.PLUGIN_CONTRACT, `frame allocator: alloc(${order}) returned ${pfn}: ${why}`, { pfn, order, why });
    };
    if (!Number.isInteger(pfn) || pfn < 0 || pfn + 2 ** order > this.count) bad(`not a block inside the ${this.count} frames`);
    if (pfn % 2 ** order !== 0) bad(`not aligned to 2^${order} frames`);
    if (this.allocationOf(pfn) !== undefined) bad("overlaps a live allocation");
    for (let f = pfn + 1; f < pfn + 2 ** order; f++) if (this.allocations.has(f)) bad(`overlaps the live allocation at frame ${f}`);
  }
}

function decode(pfn: number, rec: number): FrameAllocation {
  const order = rec - Math.floor(rec / 64) * 64;
  const rest = Math.floor(rec / 64);
  const use = (rest - Math.floor(rest / 2) * 2) as FrameUse;
  return { pfn, order, use, owner: Math.floor(rest / 2) };
}
