/** Shared set-up of the DMA and IOMMU tests: a machine container with the device side registered. */
import { createMachineContainer } from "../../core/container";
import type { BouncePool } from "../../core/machine/bounce";
import type { MachineConfig } from "../../core/machine/config";
import { BOUNCE_POOL, DMA, IOMMU } from "../../core/machine/device-tokens";
import { registerDevices } from "../../core/machine/devices";
import type { DmaEngine } from "../../core/machine/dma";
import type { FrameTable } from "../../core/machine/frames";
import type { Iommu } from "../../core/machine/iommu";
import type { MachineKernel } from "../../core/machine/kernel";
import type { PageTables } from "../../core/machine/page-table";
import type { PhysicalMemory } from "../../core/machine/physical-memory";
import { COUNTERS, FRAME_TABLE, KERNEL, PAGE_TABLES, PHYSICAL_MEMORY } from "../../core/machine/tokens";

/** Small paging machine with one contiguous-only and one scatter-gather device. */
export const SMALL: MachineConfig = {
  physicalMemory: "1MiB",
  paging: { virtualBits: 32 },
  bounceBuffer: "16KiB",
  devices: [
    { name: "disk0", dma: "contiguous" },
    { name: "nic0", dma: "scatter-gather", maxSegments: 4 },
  ],
};

/** A machine with its DMA engine resolved first (so the bounce pool is reserved at machine start). */
export function dmaMachine(config: MachineConfig = SMALL) {
  const c = createMachineContainer(config);
  registerDevices(c);
  const dma = c.resolve<DmaEngine>(DMA);
  const kernel = c.resolve<MachineKernel>(KERNEL);
  const mem = c.resolve<PhysicalMemory>(PHYSICAL_MEMORY);
  const frames = c.resolve<FrameTable>(FRAME_TABLE);
  const pt = c.resolve<PageTables>(PAGE_TABLES);
  const counters = c.resolve<Float64Array>(COUNTERS);
  const pool = c.resolve<BouncePool>(BOUNCE_POOL);
  const iommu = c.resolve<Iommu>(IOMMU);
  /** Physical address of `vaddr` in `pid` (software walk), or -1. */
  const paddrOf = (pid: number, vaddr: number): number => {
    const leaf = pt.lookup(kernel.rootOf(pid), vaddr);
    if (!leaf) return -1;
    const size = 2 ** leaf.pageShift;
    return leaf.framePaddr + (vaddr - Math.floor(vaddr / size) * size);
  };
  /** Raw physical bytes. */
  const phys = (paddr: number, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    mem.read(paddr, out);
    return out;
  };
  return { c, dma, kernel, mem, frames, pt, counters, pool, iommu, paddrOf, phys };
}

/** `length` bytes counting up from `seed`. */
export function pattern(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed + i * 7) & 0xff);
}

/**
 * mmaps `pages` pages in `pid` and touches them interleaved with pages of a
 * second buffer, so that no two of its frames are physically adjacent.
 */
export function scatteredBuffer(kernel: MachineKernel, pid: number, pages: number, pageSize = 4096): number {
  const a = kernel.mmap(pid, pages * pageSize);
  const b = kernel.mmap(pid, pages * pageSize);
  for (let i = 0; i < pages; i++) {
    kernel.poke(pid, a + i * pageSize, new Uint8Array(1));
    kernel.poke(pid, b + i * pageSize, new Uint8Array(1));
  }
  return a;
}
