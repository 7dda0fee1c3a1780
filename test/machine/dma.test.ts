import { C_BOUNCE_BYTES, C_CYCLES, C_DMA_CORRUPTIONS, C_DMA_TRANSFERS } from "../../core/machine/constants";
import type { DmaMapping } from "../../core/machine/dma";
import { dmaMachine, pattern, scatteredBuffer, SMALL } from "./dma-helpers";

const PAGE = 4096;

function mapped(r: ReturnType<ReturnType<typeof dmaMachine>["dma"]["mapBuffer"]>): DmaMapping {
  if (!r.ok) throw new Error(`map failed: ${r.error} ${r.message}`);
  return r.mapping;
}

describe("bounce pool", () => {
  test("is reserved at machine start: physically contiguous frames owned by swiotlb", () => {
    const { pool, frames } = dmaMachine();
    expect(pool.sizeBytes).toBe(16 * 1024);
    expect(pool.basePaddr % PAGE).toBe(0);
    const first = pool.basePaddr / PAGE;
    for (let f = first; f < first + 4; f++) expect(frames.ownerName(frames.ownerOf(f)!)).toBe("swiotlb");
  });

  test("is not reserved without devices or outside paging mode", () => {
    expect(dmaMachine({ ...SMALL, devices: [] }).pool.sizeBytes).toBe(0);
    expect(dmaMachine({ ...SMALL, mode: "base-limit" }).pool.sizeBytes).toBe(0);
  });
});

describe("contiguous-only device", () => {
  test("a physically contiguous buffer is used in place: no copy", () => {
    const { dma, kernel, counters, paddrOf } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, 3 * PAGE, { contiguous: true });
    const m = mapped(dma.mapBuffer("disk0", pid, buf + 100, 2 * PAGE, "from-device"));
    expect(m.bounced).toBe(false);
    expect(m.segments).toEqual([{ addr: paddrOf(pid, buf + 100), length: 2 * PAGE }]);
    const data = pattern(2 * PAGE);
    expect(dma.transfer(m, data)).toMatchObject({ ok: true, bytes: 2 * PAGE, blocked: 0 });
    expect(kernel.peek(pid, buf + 100, 2 * PAGE)).toEqual(data);
    expect(dma.unmap(m)).toEqual({ ok: true, copiedBack: 0 });
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
    expect(counters[C_DMA_TRANSFERS]).toBe(1);
  });

  test("a scattered from-device buffer bounces: bytes counted in at map and out at unmap, data intact", () => {
    const { dma, kernel, counters, pool, phys } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 3);
    const before = pattern(3 * PAGE, 99);
    kernel.poke(pid, buf, before);
    const len = 2 * PAGE + 500;
    const cycles = counters[C_CYCLES];
    const m = mapped(dma.mapBuffer("disk0", pid, buf + 300, len, "from-device"));
    expect(m.bounced).toBe(true);
    expect(m.segments).toEqual([{ addr: pool.basePaddr, length: len }]);
    // Copied in at map (swiotlb copies in every direction), so unwritten bytes keep the user's data.
    expect(counters[C_BOUNCE_BYTES]).toBe(len);
    const data = pattern(1000, 5);
    expect(dma.transfer(m, data, 10)).toMatchObject({ ok: true, bytes: 1000 });
    // The device wrote the pool, not the user's frames.
    expect(phys(pool.basePaddr + 10, 1000)).toEqual(data);
    expect(kernel.peek(pid, buf + 310, 1000)).toEqual(before.subarray(310, 1310));
    expect(dma.unmap(m)).toEqual({ ok: true, copiedBack: len });
    expect(counters[C_BOUNCE_BYTES]).toBe(2 * len);
    expect(counters[C_CYCLES] - cycles).toBe(2 * len * 0.25);
    const expected = before.slice();
    expected.set(data, 310);
    expect(kernel.peek(pid, buf, 3 * PAGE)).toEqual(expected);
    expect(pool.usedBytes).toBe(0);
    expect(dma.events.filter((e) => e.kind === "bounce")).toEqual([
      { kind: "bounce", device: "disk0", mapping: m.id, phase: "map", paddr: pool.basePaddr, bytes: len },
      { kind: "bounce", device: "disk0", mapping: m.id, phase: "unmap", paddr: pool.basePaddr, bytes: len },
    ]);
  });

  test("a scattered to-device buffer bounces in only; the device reads the user's bytes", () => {
    const { dma, kernel, counters } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 2);
    const bytes = pattern(2 * PAGE, 3);
    kernel.poke(pid, buf, bytes);
    const m = mapped(dma.mapBuffer("disk0", pid, buf, 2 * PAGE, "to-device"));
    expect(m.bounced).toBe(true);
    const r = dma.transfer(m);
    expect(r.ok).toBe(true);
    expect(r.data).toEqual(bytes);
    expect(dma.transfer(m, undefined, PAGE - 2, 4).data).toEqual(bytes.subarray(PAGE - 2, PAGE + 2));
    expect(dma.unmap(m)).toEqual({ ok: true, copiedBack: 0 });
    expect(counters[C_BOUNCE_BYTES]).toBe(2 * PAGE);
  });

  test("an exhausted pool fails cleanly, and works again after an unmap", () => {
    const { dma, kernel, counters, pool } = dmaMachine();
    const pid = kernel.createProcess();
    const a = scatteredBuffer(kernel, pid, 3);
    const b = scatteredBuffer(kernel, pid, 3);
    const first = mapped(dma.mapBuffer("disk0", pid, a, 3 * PAGE, "to-device"));
    const bytes = counters[C_BOUNCE_BYTES];
    const r = dma.mapBuffer("disk0", pid, b, 3 * PAGE, "to-device");
    expect(r).toMatchObject({ ok: false, error: "bounce-exhausted" });
    expect(counters[C_BOUNCE_BYTES]).toBe(bytes);
    expect(pool.usedBytes).toBe(3 * PAGE);
    dma.unmap(first);
    expect(dma.mapBuffer("disk0", pid, b, 3 * PAGE, "to-device").ok).toBe(true);
  });

  test("bounce: false refuses a scattered buffer instead of bouncing", () => {
    const { dma, kernel, counters } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 2);
    expect(dma.mapBuffer("disk0", pid, buf, 2 * PAGE, "from-device", { bounce: false })).toMatchObject({ ok: false, error: "not-contiguous" });
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
  });
});

describe("scatter-gather device", () => {
  test("physically adjacent frames merge into one segment; no bounce", () => {
    const { dma, kernel, paddrOf, counters } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, 4 * PAGE);
    const other = kernel.mmap(pid, 2 * PAGE);
    // The first touch also builds the page tables; then pages 0 and 1 adjacent, another page, pages 2 and 3 adjacent.
    kernel.poke(pid, other, new Uint8Array(1));
    kernel.poke(pid, buf, new Uint8Array(1));
    kernel.poke(pid, buf + PAGE, new Uint8Array(1));
    kernel.poke(pid, other + PAGE, new Uint8Array(1));
    kernel.poke(pid, buf + 2 * PAGE, new Uint8Array(1));
    kernel.poke(pid, buf + 3 * PAGE, new Uint8Array(1));
    expect(paddrOf(pid, buf + PAGE)).toBe(paddrOf(pid, buf) + PAGE);
    expect(paddrOf(pid, buf + 2 * PAGE)).not.toBe(paddrOf(pid, buf) + 2 * PAGE);
    const m = mapped(dma.mapBuffer("nic0", pid, buf + 8, 4 * PAGE - 16, "bidirectional"));
    expect(m.bounced).toBe(false);
    expect(m.segments).toEqual([
      { addr: paddrOf(pid, buf + 8), length: 2 * PAGE - 8 },
      { addr: paddrOf(pid, buf + 2 * PAGE), length: 2 * PAGE - 8 },
    ]);
    const data = pattern(4 * PAGE - 16, 11);
    expect(dma.transfer(m, data).bytes).toBe(data.length);
    expect(kernel.peek(pid, buf + 8, data.length)).toEqual(data);
    expect(dma.transfer(m).data).toEqual(data);
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
  });

  test("more runs than maxSegments bounce", () => {
    const { dma, kernel, counters } = dmaMachine({ ...SMALL, devices: [{ name: "nic0", dma: "scatter-gather", maxSegments: 2 }] });
    const pid = kernel.createProcess();
    const buf = scatteredBuffer(kernel, pid, 3);
    const m = mapped(dma.mapBuffer("nic0", pid, buf, 3 * PAGE, "from-device"));
    expect(m.bounced).toBe(true);
    expect(m.segments).toHaveLength(1);
    const data = pattern(3 * PAGE, 21);
    dma.transfer(m, data);
    dma.unmap(m);
    expect(kernel.peek(pid, buf, 3 * PAGE)).toEqual(data);
    expect(counters[C_BOUNCE_BYTES]).toBe(6 * PAGE);
  });
});

describe("ownership", () => {
  test("a device write into frames that changed hands is corruption, not applied", () => {
    const { dma, kernel, counters, phys, paddrOf } = dmaMachine();
    const a = kernel.createProcess();
    const b = kernel.createProcess();
    const buf = kernel.mmap(a, PAGE, { contiguous: true });
    kernel.poke(a, buf, new Uint8Array(1));
    const m = mapped(dma.mapBuffer("disk0", a, buf, PAGE, "from-device"));
    const paddr = m.segments[0].addr;
    // The buffer is freed while the DMA mapping lives; its frame goes to b.
    kernel.munmap(a, buf, PAGE);
    const victim = kernel.mmap(b, PAGE, { contiguous: true });
    kernel.poke(b, victim, pattern(PAGE, 77));
    expect(paddrOf(b, victim)).toBe(paddr);
    const r = dma.transfer(m, pattern(PAGE, 1));
    expect(r).toMatchObject({ ok: true, bytes: 0, blocked: PAGE });
    expect(phys(paddr, PAGE)).toEqual(pattern(PAGE, 77));
    expect(counters[C_DMA_CORRUPTIONS]).toBe(1);
    expect(dma.events.filter((e) => e.kind === "corruption")).toEqual([
      { kind: "corruption", device: "disk0", mapping: m.id, paddr, length: PAGE, owner: b, use: "data", op: "write" },
    ]);
  });

  test("a bounced buffer is not copied back into frames that changed hands", () => {
    const { dma, kernel, counters, paddrOf } = dmaMachine();
    const a = kernel.createProcess();
    const b = kernel.createProcess();
    const buf = scatteredBuffer(kernel, a, 2);
    const m = mapped(dma.mapBuffer("disk0", a, buf, 2 * PAGE, "from-device"));
    const secondPage = paddrOf(a, buf + PAGE);
    kernel.munmap(a, buf + PAGE, PAGE);
    const v = kernel.mmap(b, PAGE);
    kernel.poke(b, v, pattern(PAGE, 50));
    expect(paddrOf(b, v)).toBe(secondPage);
    dma.transfer(m, pattern(2 * PAGE, 9));
    expect(dma.unmap(m)).toEqual({ ok: true, copiedBack: PAGE });
    expect(kernel.peek(a, buf, PAGE)).toEqual(pattern(2 * PAGE, 9).subarray(0, PAGE));
    expect(kernel.peek(b, v, PAGE)).toEqual(pattern(PAGE, 50));
    expect(counters[C_DMA_CORRUPTIONS]).toBe(1);
    expect(dma.events.find((e) => e.kind === "corruption")).toMatchObject({ op: "copy-back", owner: b, paddr: secondPage, length: PAGE });
  });

  test("a raw device address across the gap of a scattered buffer hits someone else's memory: corruption", () => {
    const { dma, kernel, phys, paddrOf } = dmaMachine();
    const a = kernel.createProcess();
    const b = kernel.createProcess();
    // a's page, then b's page right after it (page tables built first): a device pointed at a's page for 2 pages marches into b.
    const pa = kernel.mmap(a, 2 * PAGE);
    const pb = kernel.mmap(b, 2 * PAGE);
    kernel.poke(a, pa + PAGE, new Uint8Array(1));
    kernel.poke(b, pb + PAGE, new Uint8Array(1));
    kernel.poke(a, pa, new Uint8Array(1));
    kernel.poke(b, pb, pattern(PAGE, 40));
    expect(paddrOf(b, pb)).toBe(paddrOf(a, pa) + PAGE);
    const m = mapped(dma.mapBuffer("disk0", a, pa, PAGE, "from-device"));
    const r = dma.deviceTransfer("disk0", m.segments[0].addr, 2 * PAGE, "from-device", pattern(2 * PAGE, 2));
    expect(r).toMatchObject({ ok: true, bytes: PAGE, blocked: PAGE });
    expect(kernel.peek(a, pa, PAGE)).toEqual(pattern(2 * PAGE, 2).subarray(0, PAGE));
    expect(kernel.peek(b, pb, PAGE)).toEqual(pattern(PAGE, 40));
    const ev = dma.events.find((e) => e.kind === "corruption");
    expect(ev).toMatchObject({ owner: b, op: "write", length: PAGE, paddr: m.segments[0].addr + PAGE });
    expect(phys(m.segments[0].addr + PAGE, PAGE)).toEqual(pattern(PAGE, 40));
  });

  test("a device read of memory it was not given gets zeros and is recorded", () => {
    const { dma, kernel } = dmaMachine();
    const a = kernel.createProcess();
    const pa = kernel.mmap(a, PAGE);
    kernel.poke(a, pa, pattern(PAGE, 8));
    const r = dma.deviceTransfer("disk0", 0x80000, 16, "to-device");
    expect(r.data).toEqual(new Uint8Array(16));
    expect(dma.events.find((e) => e.kind === "corruption")).toMatchObject({ op: "read", owner: "free", length: 16 });
  });
});

describe("base/limit: a pinned segment that moves", () => {
  const BL = { ...SMALL, mode: "base-limit" as const };

  test("the device writes through the stale physical address: corruption in the victim, bytes unchanged", () => {
    const { dma, kernel, counters, phys } = dmaMachine(BL);
    const a = kernel.createProcess();
    const b = kernel.createProcess();
    kernel.createSegment(a, 0x4000, 0x2000);
    const pinned = kernel.segment(a)!.base;
    // Compaction moves a anyway; b takes its old place.
    kernel.relocateSegment(a, 0x10000);
    kernel.createSegment(b, 0x4000, 0x1000);
    kernel.poke(b, 0, pattern(0x1000, 60));
    const r = dma.physicalTransfer("disk0", pinned + 0x800, 0x1000, "from-device", a, pattern(0x1000, 1));
    expect(r).toMatchObject({ ok: true, bytes: 0, blocked: 0x1000 });
    expect(phys(0x4000, 0x1000)).toEqual(pattern(0x1000, 60));
    expect(dma.events.filter((e) => e.kind === "corruption")).toEqual([
      { kind: "corruption", device: "disk0", mapping: undefined, paddr: 0x4800, length: 0x800, owner: b, use: "data", op: "write" },
      { kind: "corruption", device: "disk0", mapping: undefined, paddr: 0x5000, length: 0x800, owner: "free", use: "data", op: "write" },
    ]);
    expect(counters[C_DMA_CORRUPTIONS]).toBe(2);
    // Through its current base the same transfer lands.
    expect(dma.physicalTransfer("disk0", 0x10800, 0x1000, "from-device", a, pattern(0x1000, 1))).toMatchObject({ bytes: 0x1000, blocked: 0 });
    expect(kernel.peek(a, 0x800, 0x1000)).toEqual(pattern(0x1000, 1));
  });

  test("a mapped segment needs no bounce; a stale mapping after a move is caught", () => {
    const { dma, kernel, counters } = dmaMachine(BL);
    const a = kernel.createProcess();
    const b = kernel.createProcess();
    kernel.createSegment(a, 0x4000, 0x2000);
    const m = mapped(dma.mapBuffer("disk0", a, 0x100, 0x1000, "from-device"));
    expect(m).toMatchObject({ bounced: false, segments: [{ addr: 0x4100, length: 0x1000 }] });
    kernel.relocateSegment(a, 0x20000);
    kernel.createSegment(b, 0x4000, 0x2000);
    dma.transfer(m, pattern(0x1000, 3));
    expect(kernel.peek(b, 0x100, 0x1000)).toEqual(new Uint8Array(0x1000));
    expect(counters[C_DMA_CORRUPTIONS]).toBe(1);
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
  });
});

describe("DMA-API debug checks", () => {
  test("a transfer after unmap is use-after-unmap and touches nothing", () => {
    const { dma, kernel } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE, { contiguous: true });
    const m = mapped(dma.mapBuffer("disk0", pid, buf, PAGE, "from-device"));
    dma.unmap(m);
    expect(dma.isMapped(m)).toBe(false);
    expect(dma.transfer(m, pattern(16))).toEqual({ ok: false, error: "use-after-unmap", bytes: 0, blocked: 0 });
    expect(kernel.peek(pid, buf, 16)).toEqual(new Uint8Array(16));
    expect(dma.unmap(m)).toEqual({ ok: false, error: "use-after-unmap" });
    expect(dma.events.filter((e) => e.kind === "use-after-unmap")).toEqual([
      { kind: "use-after-unmap", device: "disk0", mapping: m.id, op: "write" },
      { kind: "use-after-unmap", device: "disk0", mapping: m.id, op: "unmap" },
    ]);
  });

  test("wrong direction and out-of-range transfers are refused", () => {
    const { dma, kernel } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, PAGE, { contiguous: true });
    const toDev = mapped(dma.mapBuffer("disk0", pid, buf, 64, "to-device"));
    expect(dma.transfer(toDev, pattern(4)).error).toBe("wrong-direction");
    expect(dma.transfer(toDev, undefined, 60, 8).error).toBe("out-of-range");
    const fromDev = mapped(dma.mapBuffer("disk0", pid, buf, 64, "from-device"));
    expect(dma.transfer(fromDev).error).toBe("wrong-direction");
    expect(dma.transfer(fromDev, pattern(65)).error).toBe("out-of-range");
  });

  test.each([
    ["unknown device", "tape9", 0, "unknown-device"],
    ["unmapped address", "disk0", 0x1000, "not-mapped"],
    ["empty buffer", "disk0", -1, "bad-range"],
  ] as const)("map refuses a %s", (_, device, addr, error) => {
    const { dma, kernel } = dmaMachine();
    const pid = kernel.createProcess();
    expect(dma.mapBuffer(device, pid, addr, 16, "to-device")).toMatchObject({ ok: false, error });
  });

  test("a device may not write a read-only page; pages not yet touched are faulted in", () => {
    const { dma, kernel, counters } = dmaMachine();
    const pid = kernel.createProcess();
    const buf = kernel.mmap(pid, 2 * PAGE);
    kernel.mprotect(pid, buf, PAGE, "r");
    expect(dma.mapBuffer("disk0", pid, buf, 16, "from-device")).toMatchObject({ ok: false, error: "read-only" });
    const m = mapped(dma.mapBuffer("nic0", pid, buf, 2 * PAGE, "to-device"));
    expect(m.segments.reduce((s, x) => s + x.length, 0)).toBe(2 * PAGE);
    expect(counters[C_BOUNCE_BYTES]).toBe(0);
  });

  test("events can be taken and cleared", () => {
    const { dma } = dmaMachine();
    dma.deviceTransfer("disk0", 0x80000, 4, "to-device");
    expect(dma.takeEvents().map((e) => e.kind)).toEqual(["corruption", "transfer"]);
    expect(dma.events).toEqual([]);
    dma.deviceTransfer("disk0", 0x80000, 4, "to-device");
    dma.clearEvents();
    expect(dma.events).toEqual([]);
  });
});
