import fc from "fast-check";
import { createMachine } from "../../core/container";
import { ErrorCode } from "../../core/errors";
import { C_ACCESSES } from "../../core/machine/constants";
import { BuddyAllocator } from "../../core/machine/frames";
import { counter, KiB, MiB, pageFault, withProcess } from "./helpers";

describe("demand-zero paging and faults", () => {
  it("the first touch of a heap page fills a zeroed frame (minor fault, fault cycles)", () => {
    const { m, heap } = withProcess();
    const a = heap.sbrk(3 * 4096);
    expect(counter(m, "dataFrames")).toBe(0);
    expect(heap.load64(a + 4096)).toBe(0);
    expect(counter(m, "minorFaults")).toBe(1);
    expect(counter(m, "dataFrames")).toBe(1);
    expect(counter(m, "cycles")).toBeGreaterThanOrEqual(m.config.costs.fault);
    expect(counter(m, "faults")).toBe(0);
  });

  it("an access outside every region is a not-present fault with the walk level", () => {
    const { m, heap } = withProcess();
    const f = pageFault(() => heap.store32(0x1000, 1));
    expect(f).toEqual({ kind: "not-present", vaddr: 0x1000, access: "write", level: 0, mode: "user" });
    expect(counter(m, "faults")).toBe(1);
    heap.load8(heap.sbrk(8));
    // Same top-level table now exists: the walk stops deeper.
    expect(pageFault(() => heap.load8(heap.heapStart + 512 * 4096)).level).toBe(2);
  });

  it("sbrk grows up to limits.heapBytes and then returns -1 (counted; malformed calls are not)", () => {
    const { m, heap } = withProcess({}, {}, 64 * KiB);
    expect(heap.sbrk(60 * KiB)).toBe(heap.heapStart);
    expect(heap.heapEnd).toBe(heap.heapStart + 60 * KiB);
    expect(heap.sbrk(4 * KiB)).toBe(heap.heapStart + 60 * KiB);
    expect(heap.sbrk(1)).toBe(-1);
    expect(counter(m, "sbrkFailures")).toBe(1);
    expect(heap.sbrk(-8)).toBe(-1);
    expect(heap.sbrk(0.5)).toBe(-1);
    expect(counter(m, "sbrkFailures")).toBe(1);
    expect(() => heap.store8(heap.heapStart + 64 * KiB, 1)).toThrow(expect.objectContaining({ code: ErrorCode.PAGE_FAULT }));
  });

  it("an access straddling into an unmapped page faults and writes nothing", () => {
    const { heap } = withProcess();
    const a = heap.sbrk(4096);
    heap.store8(a + 4095, 0x11);
    expect(pageFault(() => heap.store64(a + 4092, 0x7fffffff))).toMatchObject({ kind: "not-present", vaddr: a + 4096 });
    expect(heap.load8(a + 4095)).toBe(0x11);
    expect(heap.load8(a + 4092)).toBe(0);
  });

  it("load64 of a value that is not a safe integer is an UNSAFE_INTEGER error naming the address", () => {
    const { heap } = withProcess();
    const a = heap.sbrk(8192);
    heap.store32(a, 0);
    heap.store32(a + 4, 0x7fffffff);
    expect(() => heap.load64(a)).toThrow(expect.objectContaining({ code: ErrorCode.UNSAFE_INTEGER, data: expect.objectContaining({ vaddr: a }) }));
    expect(() => heap.store64(a, 2 ** 60)).toThrow(expect.objectContaining({ code: ErrorCode.UNSAFE_INTEGER }));
    heap.store64(a + 4090, -123456789); // straddles two pages
    expect(heap.load64(a + 4090)).toBe(-123456789);
  });
});

describe("mmap, munmap, mprotect", () => {
  it("contiguous mmap gets physically contiguous frames, mapped eagerly", () => {
    const { m, k, pid, heap } = withProcess();
    const a = heap.mmap(5 * 4096, { contiguous: true });
    const paddrs = [0, 1, 2, 3, 4].map((i) => k.access(pid, a + i * 4096, "read"));
    paddrs.forEach((o, i) => expect(o).toMatchObject({ ok: true, paddr: (paddrs[0] as { paddr: number }).paddr + i * 4096 }));
    expect(counter(m, "minorFaults")).toBe(5);
    expect(k.regions(pid).find((r) => r.start === a)).toMatchObject({ contiguous: true, kind: "mmap" });
    expect(heap.munmap(a + 4096, 4096)).toBe(-1);
    expect(heap.munmap(a, 5 * 4096)).toBe(0);
    expect(counter(m, "dataFrames")).toBe(0);
  });

  it("mmap returns -1 when no contiguous run of frames is left", () => {
    const { m, heap } = withProcess({ physicalMemory: "1MiB" });
    // Fragment memory: touch every other page of a 240-page region.
    const a = heap.mmap(240 * 4096);
    for (let i = 0; i < 240; i++) heap.store8(a + i * 4096, 1);
    for (let i = 0; i < 240; i += 2) expect(heap.munmap(a + i * 4096, 4096)).toBe(0);
    expect(heap.mmap(64 * 4096, { contiguous: true })).toBe(-1);
    expect(counter(m, "mmapFailures")).toBe(1);
    expect(heap.mmap(2 * MiB, { hugePage: true })).toBe(-1);
    expect(heap.mmap(4 * 4096)).toBeGreaterThan(0); // lazily backed: fine
  });

  it("mprotect 'none' gives the frame back and a later 'rw' gives a fresh zero page", () => {
    const { m, heap } = withProcess();
    const a = heap.mmap(4096);
    heap.store32(a, 77);
    expect(counter(m, "dataFrames")).toBe(1);
    expect(heap.mprotect(a, 4096, "none")).toBe(0);
    expect(counter(m, "dataFrames")).toBe(0);
    expect(pageFault(() => heap.load8(a))).toMatchObject({ kind: "protection" });
    expect(heap.mprotect(a, 4096, "r")).toBe(0);
    expect(heap.load32(a)).toBe(0);
    expect(pageFault(() => heap.store8(a, 1))).toMatchObject({ kind: "protection", access: "write" });
    expect(heap.mprotect(a, 4096, "rw")).toBe(0);
    heap.store8(a, 1);
    expect(heap.mprotect(a, 8192, "r")).toBe(-1); // not all mapped
    expect(heap.mprotect(heap.sbrk(4096), 4096, "none")).toBe(-1); // the heap is off limits
  });

  it("destroying a process gives every data and page-table frame back", () => {
    const { m, k, pid, heap } = withProcess();
    const a = heap.sbrk(64 * KiB);
    heap.fill(a, 1, 64 * KiB);
    heap.mmap(2 * MiB, { hugePage: true });
    heap.store8(heap.mmap(3 * 4096), 1);
    expect(m.snapshot().framesInUse).toBeGreaterThan(512);
    k.destroyProcess(pid);
    expect(m.snapshot().framesInUse).toBe(0);
    expect(counter(m, "peakFrames")).toBeGreaterThan(512);
  });
});

describe("heap.copy and heap.fill", () => {
  it("copy is memmove through the MMU, across pages and overlapping (property, against a byte array)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dst: fc.nat(5 * 4096), src: fc.nat(5 * 4096), n: fc.nat(3 * 4096), byte: fc.nat(255), fill: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        (ops) => {
          const { m, heap } = withProcess({ physicalMemory: "16MiB" });
          const size = 8 * 4096;
          const a = heap.sbrk(size);
          const model = new Uint8Array(size);
          for (let i = 0; i < size; i += 97) {
            heap.store8(a + i, i & 0xff);
            model[i] = i & 0xff;
          }
          let copied = 0;
          for (const o of ops) {
            if (o.fill) {
              heap.fill(a + o.dst, o.byte, o.n);
              model.fill(o.byte, o.dst, o.dst + o.n);
            } else {
              heap.copy(a + o.dst, a + o.src, o.n);
              model.copyWithin(o.dst, o.src, o.src + o.n);
              copied += o.dst === o.src ? 0 : o.n;
            }
          }
          expect(Buffer.from(m.kernel.peek(1, a, size)!).equals(Buffer.from(model))).toBe(true);
          expect(counter(m, "bytesCopied")).toBe(copied);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("kernel views and processes", () => {
  it("counts every heap access by kind and width, through snapshots, a second process and its exit", () => {
    const { m, k, heap } = withProcess();
    const a = heap.sbrk(8192);
    const widths = [1, 2, 4, 8] as const;
    const store = { 1: heap.store8, 2: heap.store16, 4: heap.store32, 8: heap.store64 };
    const load = { 1: heap.load8, 2: heap.load16, 4: heap.load32, 8: heap.load64 };
    // 3 stores and 5 loads of each width; one of each crosses the page end.
    for (const w of widths) {
      for (let i = 0; i < 3; i++) store[w].call(heap, i === 0 ? a + 4096 - 1 : a + 16 * i, i);
      for (let i = 0; i < 5; i++) load[w].call(heap, a + 16 * i);
    }
    const s1 = m.snapshot().counters;
    expect([s1.accesses, s1.loads, s1.stores, s1.bytesAccessed]).toEqual([32, 20, 12, 8 * 15]);
    // A second process's heap counts into the same counters, and its counts survive its exit.
    const pid2 = k.createProcess();
    const h2 = k.heap(pid2);
    const b = h2.sbrk(4096);
    h2.store32(b, 7);
    h2.load16(b);
    k.destroyProcess(pid2);
    heap.load64(a);
    const s2 = m.snapshot().counters;
    expect([s2.accesses, s2.loads, s2.stores, s2.bytesAccessed]).toEqual([35, 22, 13, 8 * 15 + 4 + 2 + 8]);
    // settleCounters makes the live array current for direct readers.
    heap.store8(a, 1);
    k.settleCounters();
    expect(m.counters[C_ACCESSES]).toBe(36);
  });

  it("peek and poke bypass TLBs and counters; poke demand-fills valid pages only", () => {
    const { m, k, pid, heap } = withProcess();
    const a = heap.sbrk(8192);
    const before = JSON.stringify(m.snapshot().counters.accesses);
    expect(k.poke(pid, a + 4090, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).toBe(true);
    expect(Array.from(k.peek(pid, a + 4090, 8)!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(JSON.stringify(m.snapshot().counters.accesses)).toBe(before);
    expect(counter(m, "tlbMisses")).toBe(0);
    expect(k.peek(pid, a + 8192, 1)).toBeNull();
    expect(k.poke(pid, 0x1000, Uint8Array.from([1]))).toBe(false);
    expect(heap.load8(a + 4097)).toBe(8);
  });

  it("the heap facade and its registers survive allocator re-creation", () => {
    const { k, pid, heap } = withProcess();
    heap.registers[3] = 42;
    expect(k.heap(pid)).toBe(heap);
    expect(k.heap(pid).registers[3]).toBe(42);
    expect(heap.alignment).toBe(16);
    expect(heap.pageSize).toBe(4096);
    expect(heap.hugePageSizes).toEqual([2 * MiB, 1024 * MiB]);
  });

  it("context switches keep ASIDs, or flush every TLB without them", () => {
    for (const asid of [true, false]) {
      const m = createMachine({ physicalMemory: "64MiB", asid });
      const k = m.kernel;
      const p1 = k.createProcess();
      const p2 = k.createProcess();
      const a1 = k.heap(p1).sbrk(4096);
      const a2 = k.heap(p2).sbrk(4096);
      k.heap(p1).store8(a1, 1);
      k.heap(p2).store8(a2, 2);
      const out = k.access(p1, a1, "read");
      expect(out).toMatchObject({ ok: true, via: asid ? "L1-4K" : "walk" });
      expect(counter(m, "contextSwitches")).toBe(3);
      expect(counter(m, "tlbFlushes")).toBe(asid ? 0 : 3);
      expect(k.heap(p1).load8(a1)).toBe(1);
      expect(k.heap(p2).load8(a2)).toBe(2);
    }
  });

  it("a second-level hit is copied into the first level", () => {
    const m = createMachine({
      physicalMemory: "16MiB",
      tlb: [{ name: "L1", level: 1, entries: 2, ways: 2 }, { name: "L2", level: 2, entries: 16, ways: 4 }],
    });
    const k = m.kernel;
    const pid = k.createProcess();
    const a = k.heap(pid).sbrk(3 * 4096);
    for (let i = 0; i < 3; i++) k.access(pid, a + i * 4096, "write");
    expect(k.access(pid, a, "read")).toMatchObject({ ok: true, via: "L2" });
    expect(k.access(pid, a, "read")).toMatchObject({ ok: true, via: "L1" });
    const snap = m.snapshot();
    expect(snap.counters.tlbHitsLevel2).toBe(1);
    expect(snap.counters.tlbHitsLevel1).toBe(1);
    expect(snap.counters.cycles).toBeGreaterThanOrEqual(7 + 1);
    expect(snap.tlbs.map((t) => [t.name, t.hits, t.misses])).toEqual([["L1", 1, 4], ["L2", 1, 3]]);
  });

  it("records the translation stream: Belady-optimal misses bound the real ones", () => {
    const m = createMachine({ physicalMemory: "64MiB", tlb: [{ name: "L1", level: 1, entries: 4, ways: 4, policy: "fifo" }] });
    const k = m.kernel;
    const pid = k.createProcess();
    const heap = k.heap(pid);
    const a = heap.sbrk(8 * 4096);
    for (let i = 0; i < 8; i++) heap.store8(a + i * 4096, 1);
    m.recordAccessStream(true);
    const misses0 = m.snapshot().tlbs[0].misses;
    for (let r = 0; r < 10; r++) for (const p of [0, 1, 2, 3, 4, 0, 1, 5, 6, 7]) heap.load8(a + p * 4096);
    const snap = m.snapshot().tlbs[0];
    expect(snap.optimalMisses).toBeDefined();
    expect(snap.optimalMisses!).toBeGreaterThanOrEqual(8);
    expect(snap.optimalMisses!).toBeLessThan(snap.misses - misses0);
  });

  it("uses a frame allocator plugin when given one, and keeps machines apart", () => {
    let calls = 0;
    const m = createMachine({ physicalMemory: "16MiB" }, {
      frameAllocator: (frames) => {
        const inner = new BuddyAllocator(frames);
        return { alloc: (o) => (calls++, inner.alloc(o)), free: (f, o) => inner.free(f, o) };
      },
    });
    const other = createMachine({ physicalMemory: "16MiB" });
    const pid = m.kernel.createProcess();
    m.kernel.heap(pid).store8(m.kernel.heap(pid).sbrk(1), 1);
    expect(calls).toBe(5);
    expect(other.snapshot().framesInUse).toBe(0);
    expect(other.kernel.currentPid).toBe(-1);
  });

  it("bare mode: addresses are physical", () => {
    const m = createMachine({ mode: "bare", physicalMemory: "1MiB" });
    const pid = m.kernel.createProcess();
    const heap = m.kernel.heap(pid);
    const a = heap.sbrk(100);
    heap.store32(a, 0xcafe);
    expect(m.memory.load32(a)).toBe(0xcafe);
    expect(m.kernel.access(pid, MiB, "read")).toMatchObject({ ok: false, fault: { kind: "address" } });
    expect(heap.mmap(4096)).toBe(-1);
  });
});
