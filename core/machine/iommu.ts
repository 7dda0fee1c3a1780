/**
 * The IOMMU: a second MMU, for devices. Each device has its own IO page table
 * (same radix geometry as the CPU's, built by PageTables in simulated
 * physical memory; its frames belong to the owner tag "iommu:<device>") and
 * its own IO-virtual address space. A DMA mapping gets one IO-virtual range
 * covering its pages, so the device sees a contiguous buffer however
 * scattered the frames are: nothing ever needs a bounce buffer.
 *
 * Translation goes through one shared IOTLB (config.iommu.iotlb, a Tlb
 * tagged with the device index in the ASID field), then a walk of the
 * device's table. Hits and misses count in C_IOTLB_HITS / C_IOTLB_MISSES and
 * in the Tlb itself. Device-side translation costs no CPU cycles: the device
 * does the work, not the CPU; the counters are what a metric reads.
 *
 * Faults follow the MMU's convention: translate returns the physical address
 * (>= 0) or the negated FAULT_* code, with the details in `faultIova` /
 * `faultCode` / `faultWrite`, so nothing is allocated per access. Leaves
 * without PTE_WRITABLE refuse device writes (a to-device mapping is
 * read-only for the device). Unmapping invalidates the IOTLB entries at once
 * (Linux's strict invalidation mode), so a stale device address faults.
 *
 * IO-virtual ranges are handed out first fit from one page up (IOVA 0 is
 * never mapped), per device.
 *
 * The IOMMU works in paging mode only (see the constructor); elsewhere
 * `enabled` is false and devices use physical addresses.
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import type { NormalizedMachine } from "./config";
import {
  C_IOTLB_HITS, C_IOTLB_MISSES, FAULT_ADDRESS, FAULT_NOT_PRESENT, FAULT_PROTECTION, PTE_PRESENT, PTE_WRITABLE,
} from "./constants";
import type { FrameTable } from "./frames";
import type { PageTables } from "./page-table";
import { Tlb } from "./tlb";
import { COUNTERS, FRAME_TABLE, MACHINE_CONFIG, PAGE_TABLES, RANDOM } from "./tokens";

/** map(): no IO-virtual range of that size is free. */
export const IOMMU_NO_SPACE = -1;
/** map(): no frame for an IO page table. */
export const IOMMU_NO_FRAMES = -2;

/** Per-device IO page tables and the IOTLB. */
@injectable()
export class Iommu {
  /** config.iommu.enabled on a paging machine: otherwise devices use physical addresses. */
  readonly enabled: boolean;
  /** The IOTLB; the ASID tag is the device index. */
  readonly iotlb: Tlb;
  /** Bytes per IO page (the machine's base page size). */
  readonly pageSize: number;
  /** IO address of the last failed translation. */
  faultIova = 0;
  /** FAULT_* code of the last failed translation. */
  faultCode = 0;
  /** Whether the last failed translation was a device write. */
  faultWrite = false;

  private readonly pageShift: number;
  private readonly leafLevel: number;
  private readonly iovaTop: number;
  private readonly roots: Float64Array;
  /** Live IO-virtual ranges per device, sorted by start: [start0, end0, start1, end1, ...]. */
  private readonly ranges: number[][];
  private readonly owners: number[];

  constructor(
    @inject(MACHINE_CONFIG) config: NormalizedMachine,
    @inject(PAGE_TABLES) private readonly pt: PageTables,
    @inject(FRAME_TABLE) frames: FrameTable,
    @inject(COUNTERS) private readonly counters: Float64Array,
    @inject(RANDOM) random: () => number,
  ) {
    // Only with paging: in base-limit and bare modes physical memory is the placement policy's, and IO page
    // tables taken from the frame allocator would sit in holes it believes free. Devices use physical addresses there.
    this.enabled = config.iommu.enabled && config.mode === "paging";
    this.iotlb = new Tlb(config.iommu.iotlb, random);
    this.pageSize = config.paging.pageSize;
    this.pageShift = config.paging.pageShift;
    this.leafLevel = config.paging.levels - 1;
    this.iovaTop = 2 ** config.paging.virtualBits;
    const n = config.devices.length;
    this.roots = new Float64Array(n).fill(-1);
    this.ranges = config.devices.map(() => []);
    this.owners = config.devices.map((d) => frames.tagOwner(`iommu:${d.name}`));
  }

  /** Physical address of device `dev`'s IO page-table root, or -1 before its first mapping. */
  rootOf(dev: number): number {
    return this.roots[dev];
  }

  /**
   * Maps the pages starting at `pagePaddrs[i]` (one base page each) at a
   * fresh IO-virtual range of device `dev`, writable by the device or not;
   * returns the range's IO address, or IOMMU_NO_SPACE / IOMMU_NO_FRAMES
   * (nothing stays mapped then).
   */
  map(dev: number, pagePaddrs: readonly number[], writable: boolean): number {
    const pages = pagePaddrs.length;
    if (this.roots[dev] < 0) {
      const root = this.pt.createRoot(this.owners[dev]);
      if (root < 0) return IOMMU_NO_FRAMES;
      this.roots[dev] = root;
    }
    const iova = this.reserve(dev, pages * this.pageSize);
    if (iova < 0) return IOMMU_NO_SPACE;
    const flags = PTE_PRESENT | (writable ? PTE_WRITABLE : 0);
    for (let i = 0; i < pages; i++) {
      if (this.pt.map(this.roots[dev], iova + i * this.pageSize, pagePaddrs[i], this.leafLevel, flags, this.owners[dev]) < 0) {
        this.unmap(dev, iova, i);
        this.release(dev, iova);
        return IOMMU_NO_FRAMES;
      }
    }
    return iova;
  }

  /** Unmaps `pages` pages from `iova` (a range map returned), invalidates their IOTLB entries and frees the range. */
  unmapRange(dev: number, iova: number, pages: number): void {
    this.unmap(dev, iova, pages);
    this.release(dev, iova);
  }

  /** Physical address for a device access at `iova`, or -FAULT_* (details in the fault fields). No allocation. */
  translate(dev: number, iova: number, write: boolean): number {
    if (!(iova >= 0 && iova < this.iovaTop)) return this.fault(FAULT_ADDRESS, iova, write);
    const vpn = Math.floor(iova / this.pageSize);
    const offset = iova - vpn * this.pageSize;
    const tlb = this.iotlb;
    let slot = tlb.lookup(vpn, this.pageShift, dev);
    if (slot >= 0) {
      tlb.hits++;
      this.counters[C_IOTLB_HITS]++;
    } else {
      tlb.misses++;
      this.counters[C_IOTLB_MISSES]++;
      // The IO tables map base pages only, so the walk's leaf is at the last level.
      const e = this.pt.leafAt(this.roots[dev], iova);
      if (e < 0) return this.fault(FAULT_NOT_PRESENT, iova, write);
      slot = tlb.insert(vpn, this.pageShift, dev, this.pt.leafFrame, this.pt.flagsAt(e), e);
    }
    if (write && (tlb.flags[slot] & PTE_WRITABLE) === 0) return this.fault(FAULT_PROTECTION, iova, write);
    return tlb.paddr[slot] + offset;
  }

  private fault(code: number, iova: number, write: boolean): number {
    this.faultCode = code;
    this.faultIova = iova;
    this.faultWrite = write;
    return -code;
  }

  private unmap(dev: number, iova: number, pages: number): void {
    for (let i = 0; i < pages; i++) {
      const va = iova + i * this.pageSize;
      this.pt.unmap(this.roots[dev], va, this.leafLevel);
      this.iotlb.invalidatePage(va, dev);
    }
  }

  /** First-fit reservation of `bytes` of IO-virtual space from one page up; the start, or -1. */
  private reserve(dev: number, bytes: number): number {
    const r = this.ranges[dev];
    let cursor = this.pageSize;
    let at = 0;
    for (; at < r.length; at += 2) {
      if (r[at] - cursor >= bytes) break;
      cursor = r[at + 1];
    }
    if (cursor + bytes > this.iovaTop) return -1;
    r.splice(at, 0, cursor, cursor + bytes);
    return cursor;
  }

  private release(dev: number, iova: number): void {
    const r = this.ranges[dev];
    for (let at = 0; at < r.length; at += 2) {
      if (r[at] === iova) {
        r.splice(at, 2);
        return;
      }
    }
  }
}
