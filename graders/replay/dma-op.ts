/**
 * The `dma` op through the machine's DMA engine, as a driver would do it:
 * map the buffer for the device (bouncing through the swiotlb pool when a
 * contiguous-only device meets scattered frames, or going through the IOMMU
 * when it is on), let the device transfer, unmap. Corruption and IO faults
 * are recorded by the engine; this returns what happened, as an event.
 */
import type { DmaEngine } from "../../core/machine/dma";

/** What one dma op did. */
export interface DmaOpOutcome {
  readonly ok: boolean;
  readonly event: Record<string, unknown>;
  /** Corruption events the transfer caused. */
  readonly corruptions: number;
}

/** Maps, transfers and unmaps `length` bytes at `vaddr` of `pid` for `device`. */
export function dmaTransfer(dma: DmaEngine, device: string, pid: number, vaddr: number, length: number, dir: "to-device" | "from-device", fill = 0xa5): DmaOpOutcome {
  const before = dma.events.length;
  const mapped = dma.mapBuffer(device, pid, vaddr, length, dir);
  if (!mapped.ok) return { ok: false, event: { error: mapped.error, message: mapped.message }, corruptions: 0 };
  const m = mapped.mapping;
  const data = dir === "from-device" ? new Uint8Array(length).fill(fill) : undefined;
  const t = dma.transfer(m, data);
  const u = dma.unmap(m);
  const events = dma.events.slice(before);
  const corruptions = events.filter((e) => e.kind === "corruption").length;
  return {
    ok: t.ok && u.ok && corruptions === 0,
    event: {
      device,
      segments: m.segments.map((s) => ({ addr: s.addr, length: s.length })),
      bounced: m.bounced,
      viaIommu: m.viaIommu,
      bytes: t.bytes,
      ...(t.ok ? {} : { error: t.error }),
      ...(corruptions > 0 ? { corruptions } : {}),
    },
    corruptions,
  };
}
