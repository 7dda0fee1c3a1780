import { C_BOUNCE_BYTES, C_IO_FAULTS, C_IOTLB_HITS, C_IOTLB_MISSES, C_WALKS } from "../../core/machine/constants";
import type { DmaMapping } from "../../core/machine/dma";
import { IOMMU_NO_SPACE } from "../../core/machine/iommu";
import { dmaMachine, pattern, scatteredBuffer, SMALL } from "./dma-helpers";

const PAGE = 4096;
const WITH_IOMMU = { ...SMALL, iommu: { enabled: true, iotlb: { entries: 8, ways: 2, policy: "lru" as const } } };

function mapped(r: ReturnType<ReturnType<typeof dmaMachine>["dma"]["mapBuffer"]>): DmaMapping {
  if (!r.ok) throw new Error(`map failed: ${r.error} ${r.message}`);
  return r.mapping;
}

describe("IOMMU", () => {
  test("a scattered buffer gets one contiguous IO-virtual range on a contiguous-only device: no bounce", () => {
    const { dma, kernel, counters, iommu, paddrOf } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 3);
    const m = mapped(dma.mapBuffer("disk0", pid, buf + 256, 2 * PAGE + 100, "from-device"));
    expect(m).toMatchObject({ bounced: false, viaIommu: true });
    expect(m.segments).toHaveLength(1);
    expect(m.segments[0].addr % PAGE).toBe(256);
    // Each IO page maps the user's frame.
    for (let i = 0; i < 3; i++) {
      expect(iommu.translate(0, m.segments[0].addr - 256 + i * PAGE, true)).toBe(paddrOf(pid, buf + i * PAGE));
    }
    const data = pattern(2 * PAGE + 100, 13);
    expect(dma.transfer(m, data)).toMatchObject({ ok: true, bytes: data.length, blocked: 0 });
    expect(kernel.peek(pid, buf + 256, data.length)).toEqual(data);
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
  });

  test("IOTLB misses on the first transfer, hits on the second; CPU walks are not touched", () => {
    const { dma, kernel, counters, iommu } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 3);
    const m = mapped(dma.mapBuffer("nic0", pid, buf, 3 * PAGE, "to-device"));
    const walks = counters[C_WALKS];
    dma.transfer(m);
    expect([counters[C_IOTLB_MISSES], counters[C_IOTLB_HITS]]).toEqual([3, 0]);
    dma.transfer(m);
    expect([counters[C_IOTLB_MISSES], counters[C_IOTLB_HITS]]).toEqual([3, 3]);
    expect([iommu.iotlb.misses, iommu.iotlb.hits]).toEqual([3, 3]);
    expect(counters[C_WALKS]).toBe(walks);
  });

  test("IO page tables live in simulated memory, owned by the device's tag", () => {
    const { dma, kernel, frames, iommu, pt } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE);
    mapped(dma.mapBuffer("disk0", pid, buf, 16, "to-device"));
    const root = iommu.rootOf(0);
    expect(root).toBeGreaterThanOrEqual(0);
    expect(frames.ownerName(frames.ownerOf(root / PAGE)!)).toBe("iommu:disk0");
    expect(pt.countTableFrames(root)).toBe(3);
    expect(iommu.rootOf(1)).toBe(-1);
  });

  test("a device access to an unmapped IO address is an IO page fault", () => {
    const { dma, counters } = dmaMachine(WITH_IOMMU);
    const r = dma.deviceTransfer("disk0", 0x5000_0000, 8, "from-device", pattern(8));
    expect(r).toMatchObject({ ok: false, error: "io-fault", bytes: 0 });
    expect(counters[C_IO_FAULTS]).toBe(1);
    expect(dma.events[0]).toEqual({ kind: "io-fault", device: "disk0", mapping: undefined, iova: 0x5000_0000, access: "write", fault: "not-present" });
  });

  test("after unmap the IOTLB is invalidated: the stale IO address faults", () => {
    const { dma, kernel, counters } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE);
    kernel.poke(pid, buf, pattern(PAGE, 4));
    const m = mapped(dma.mapBuffer("disk0", pid, buf, PAGE, "from-device"));
    dma.transfer(m, pattern(8));
    dma.unmap(m);
    const r = dma.deviceTransfer("disk0", m.segments[0].addr, 8, "from-device", pattern(8, 200));
    expect(r.error).toBe("io-fault");
    expect(counters[C_IO_FAULTS]).toBe(1);
    expect(kernel.peek(pid, buf, 8)).toEqual(pattern(8));
  });

  test("a to-device mapping is read-only for the device", () => {
    const { dma, kernel } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE);
    const m = mapped(dma.mapBuffer("disk0", pid, buf, PAGE, "to-device"));
    const r = dma.deviceTransfer("disk0", m.segments[0].addr, 4, "from-device", pattern(4));
    expect(r.error).toBe("io-fault");
    expect(dma.events.find((e) => e.kind === "io-fault")).toMatchObject({ fault: "protection", access: "write" });
    expect(kernel.peek(pid, buf, 4)).toEqual(new Uint8Array(4));
  });

  test("devices have separate IO address spaces", () => {
    const { dma, kernel } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE);
    const m = mapped(dma.mapBuffer("disk0", pid, buf, PAGE, "from-device"));
    expect(dma.deviceTransfer("nic0", m.segments[0].addr, 4, "from-device").error).toBe("io-fault");
    const n = mapped(dma.mapBuffer("nic0", pid, buf, PAGE, "from-device"));
    expect(n.segments[0].addr).toBe(m.segments[0].addr);
  });

  test("IO-virtual ranges are reused first fit after unmap", () => {
    const { dma, kernel } = dmaMachine(WITH_IOMMU);
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, 4 * PAGE);
    const a = mapped(dma.mapBuffer("disk0", pid, buf, 2 * PAGE, "to-device"));
    const b = mapped(dma.mapBuffer("disk0", pid, buf, PAGE, "to-device"));
    expect(a.segments[0].addr).toBe(PAGE);
    expect(b.segments[0].addr).toBe(3 * PAGE);
    dma.unmap(a);
    const c = mapped(dma.mapBuffer("disk0", pid, buf + 2 * PAGE, PAGE, "to-device"));
    expect(c.segments[0].addr).toBe(PAGE);
  });

  test("IO space exhaustion is reported by map", () => {
    const { iommu } = dmaMachine({ ...WITH_IOMMU, paging: { virtualBits: 16, pageSize: "4KiB", levels: 1 } });
    const pages = Array.from({ length: 15 }, () => 0);
    expect(iommu.map(0, pages, false)).toBe(PAGE);
    expect(iommu.map(0, [0], false)).toBe(IOMMU_NO_SPACE);
  });
});
