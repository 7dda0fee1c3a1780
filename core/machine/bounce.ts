/**
 * The bounce pool, after Linux's swiotlb: physically contiguous frames
 * reserved once at machine start, handed out in fixed slots to DMA mappings
 * whose buffer a device cannot reach directly (a contiguous-only device and
 * a scattered buffer, or more segments than a scatter-gather device takes).
 *
 * The pool exists only in paging mode on a machine with devices: in
 * base-limit and bare modes a process's memory is physically contiguous
 * already, and a reserved block would sit in the middle of the holes the
 * placement policy is choosing from. Its frames belong to the "swiotlb" owner
 * tag, so a device write that strays into a slot it was not given is
 * corruption like any other.
 *
 * Slots are 2 KiB (swiotlb's IO_TLB_SIZE), or the page size when pages are
 * smaller; a mapping takes the first run of free slots that fits (first fit,
 * from the pool start), so exhaustion and fragmentation of the pool are
 * deterministic.
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import type { NormalizedMachine } from "./config";
import { FRAME_DATA, type FrameTable } from "./frames";
import { FRAME_TABLE, MACHINE_CONFIG } from "./tokens";

/** Owner tag of the pool's frames in the FrameTable. */
export const BOUNCE_OWNER_TAG = "swiotlb";
/** swiotlb's slot size (IO_TLB_SIZE). */
const SWIOTLB_SLOT_BYTES = 2048;

/** Slot allocator over the reserved, physically contiguous pool. */
@injectable()
export class BouncePool {
  /** Physical address of the pool's first byte, or -1 without a pool. */
  readonly basePaddr: number;
  /** Usable bytes (0 without a pool: every bounce then fails cleanly). */
  readonly sizeBytes: number;
  /** Bytes per slot. */
  readonly slotBytes: number;
  /** FrameTable owner code of the pool's frames. */
  readonly owner: number;
  /** Bytes reserved by live mappings (whole slots). */
  usedBytes = 0;
  private readonly used: Uint8Array;

  constructor(@inject(MACHINE_CONFIG) config: NormalizedMachine, @inject(FRAME_TABLE) frames: FrameTable) {
    const pageSize = config.paging.pageSize;
    this.slotBytes = Math.min(SWIOTLB_SLOT_BYTES, pageSize);
    this.owner = frames.tagOwner(BOUNCE_OWNER_TAG);
    const want = config.mode === "paging" && config.devices.length > 0 ? config.bounceBufferBytes : 0;
    let base = -1;
    let size = 0;
    if (want > 0) {
      const pages = Math.ceil(want / pageSize);
      // The frame allocator hands out power-of-two blocks: the tail past `want` stays reserved but unused.
      const order = Math.ceil(Math.log2(pages));
      const pfn = frames.alloc(order, FRAME_DATA, this.owner);
      if (pfn >= 0) {
        base = pfn * pageSize;
        size = Math.floor(want / this.slotBytes) * this.slotBytes;
      }
    }
    this.basePaddr = base;
    this.sizeBytes = size;
    this.used = new Uint8Array(size / this.slotBytes);
  }

  /** Bytes still free (whole slots; a request may still fail for lack of a contiguous run). */
  get freeBytes(): number {
    return this.sizeBytes - this.usedBytes;
  }

  /** Reserves a contiguous run of slots for `length` bytes; its physical address, or -1 when none is free. */
  alloc(length: number): number {
    if (!(length > 0) || this.sizeBytes === 0) return -1;
    const n = Math.ceil(length / this.slotBytes);
    const used = this.used;
    let run = 0;
    for (let i = 0; i < used.length; i++) {
      run = used[i] === 0 ? run + 1 : 0;
      if (run === n) {
        const first = i - n + 1;
        used.fill(1, first, i + 1);
        this.usedBytes += n * this.slotBytes;
        return this.basePaddr + first * this.slotBytes;
      }
    }
    return -1;
  }

  /** Gives back the slots of an `alloc(length)` that returned `paddr`. */
  free(paddr: number, length: number): void {
    const first = (paddr - this.basePaddr) / this.slotBytes;
    const n = Math.ceil(length / this.slotBytes);
    this.used.fill(0, first, first + n);
    this.usedBytes -= n * this.slotBytes;
  }

  /** True when [paddr, paddr + length) lies inside the pool. */
  contains(paddr: number, length: number): boolean {
    return this.sizeBytes > 0 && paddr >= this.basePaddr && paddr + length <= this.basePaddr + this.sizeBytes;
  }
}
