/** The seed article's own examples, on the machine. */
import { createMachine } from "../../core/container";
import { PTE_ACCESSED, PTE_DIRTY } from "../../core/machine/constants";
import { counter, GiB, KiB, MiB, pageFault, withProcess } from "./helpers";

describe("contiguous allocation: base and limit", () => {
  it("traps logical addresses >= L and maps the rest to B + l", () => {
    const m = createMachine({ mode: "base-limit", physicalMemory: "1MiB" });
    const k = m.kernel;
    const pid = k.createProcess();
    k.createSegment(pid, 0x40000, 0x8000);
    expect(k.access(pid, 2048, "read")).toMatchObject({ ok: true, paddr: 0x40000 + 2048 });
    expect(k.access(pid, 0x7fff, "write")).toMatchObject({ ok: true, paddr: 0x47fff });
    const out = k.access(pid, 0x8000, "read");
    expect(out).toMatchObject({ ok: false, fault: { kind: "bounds", vaddr: 0x8000, access: "read" } });
    expect(counter(m, "boundsTraps")).toBe(1);
    expect(counter(m, "faults")).toBe(1);
  });

  it("relocates a program by changing B: its logical addresses still find its bytes", () => {
    const m = createMachine({ mode: "base-limit", physicalMemory: "1MiB" });
    const k = m.kernel;
    const pid = k.createProcess();
    k.createSegment(pid, 0x10000, 0x4000);
    const heap = k.heap(pid);
    heap.store64(2048, 0xabcdef);
    k.relocateSegment(pid, 0x80000);
    expect(k.segment(pid)).toEqual({ pid, base: 0x80000, size: 0x4000, pinned: false });
    expect(heap.load64(2048)).toBe(0xabcdef);
    expect(k.access(pid, 2048, "read")).toMatchObject({ ok: true, paddr: 0x80000 + 2048 });
    expect(m.memory.load64(0x80000 + 2048)).toBe(0xabcdef);
    expect(counter(m, "compactionBytes")).toBe(0x4000);
    expect(counter(m, "cycles")).toBeGreaterThanOrEqual(0x4000 * m.config.costs.copyByte);
  });

  it("the heap facade of a segment process faults past the limit", () => {
    const m = createMachine({ mode: "base-limit", physicalMemory: "1MiB" });
    const pid = m.kernel.createProcess();
    m.kernel.createSegment(pid, 0, 4096);
    const f = pageFault(() => m.kernel.heap(pid).load8(4096));
    expect(f).toMatchObject({ kind: "bounds", vaddr: 4096 });
  });
});

describe("paging", () => {
  it("pages 1, 2, 3 in frames 100, 305, 101: a linear range over scattered frames", () => {
    const { m, k, pid, heap } = withProcess();
    const page = 4096;
    const frames = [100, 305, 101];
    const base = 0x10000000;
    frames.forEach((f, i) => expect(k.map(pid, base + (i + 1) * page, { writable: true, user: true }, { frame: f })).toMatchObject({ ok: true, paddr: f * page }));
    for (let i = 0; i < 3; i++) expect(k.access(pid, base + (i + 1) * page + 12, "read")).toMatchObject({ ok: true, paddr: frames[i] * page + 12 });
    // A value written across the page 1 / page 2 boundary lands in frames 100 and 305.
    heap.store32(base + 2 * page - 2, 0xa1b2c3d4);
    expect(heap.load32(base + 2 * page - 2)).toBe(0xa1b2c3d4);
    expect(m.memory.load16(100 * page + page - 2)).toBe(0xc3d4);
    expect(m.memory.load16(305 * page)).toBe(0xa1b2);
  });

  it("supervisor-only pages fault on user access and work for the supervisor", () => {
    const { k, pid, heap } = withProcess();
    const va = 0x20000000;
    k.map(pid, va, { writable: true, user: false });
    expect(k.access(pid, va, "read", "supervisor")).toMatchObject({ ok: true, via: "walk" });
    expect(k.access(pid, va, "read", "supervisor")).toMatchObject({ ok: true, via: "L1-4K" });
    // Cached in the TLB now; the user check is made on the hit too.
    expect(k.access(pid, va, "read", "user")).toMatchObject({ ok: false, fault: { kind: "protection", mode: "user", vaddr: va } });
    expect(pageFault(() => heap.load8(va + 5))).toMatchObject({ kind: "protection", access: "read" });
  });

  it("a user-mode attempt to change the page-table root traps; the supervisor may", () => {
    const { m, k, pid } = withProcess();
    const rootBefore = m.cpu.root;
    expect(k.privileged(pid, "set-root", "user")).toMatchObject({ ok: false, fault: { kind: "privilege", mode: "user" } });
    expect(k.privileged(pid, "flush-tlb", "user")).toMatchObject({ ok: false, fault: { kind: "privilege" } });
    expect(counter(m, "privilegeTraps")).toBe(2);
    expect(m.cpu.root).toBe(k.rootOf(pid));
    expect(rootBefore === -1 || rootBefore === k.rootOf(pid)).toBe(true);
    expect(k.privileged(pid, "flush-tlb", "supervisor")).toMatchObject({ ok: true });
    expect(counter(m, "tlbFlushes")).toBe(1);
  });

  it("page tables live in physical memory, are counted as frames, and record accessed/dirty", () => {
    const { m, k, pid, heap } = withProcess();
    expect(counter(m, "pageTableFrames")).toBe(1); // the root
    const a = heap.sbrk(4096);
    heap.load8(a);
    expect(counter(m, "pageTableFrames")).toBe(4); // root + 3 lower levels on x86-64
    expect(counter(m, "dataFrames")).toBe(1);
    expect(m.pageTables.countTableFrames(k.rootOf(pid))).toBe(4);
    const leaf = m.pageTables.lookup(k.rootOf(pid), a)!;
    expect(leaf.flags & PTE_ACCESSED).toBe(PTE_ACCESSED);
    expect(leaf.flags & PTE_DIRTY).toBe(0);
    heap.store8(a, 1); // a TLB hit: the first write sets DIRTY in the PTE in memory
    expect(m.pageTables.flagsAt(leaf.pteAddr) & PTE_DIRTY).toBe(PTE_DIRTY);
    // A second region 1 GiB away needs two new tables.
    const far = heap.mmap(4096);
    heap.load8(far);
    expect(counter(m, "pageTableFrames")).toBeGreaterThan(4);
    k.destroyProcess(pid);
    expect(m.snapshot().framesInUse).toBe(0);
  });

  it("a guard page catches a one-byte overrun and costs zero frames", () => {
    const { m, heap } = withProcess();
    const buf = heap.mmap(2 * 4096);
    const guard = buf + 4096;
    expect(heap.mprotect(guard, 4096, "none")).toBe(0);
    heap.fill(buf, 0x5a, 4096);
    expect(counter(m, "dataFrames")).toBe(1);
    const f = pageFault(() => heap.store8(buf + 4096, 1));
    expect(f).toMatchObject({ kind: "protection", vaddr: guard, access: "write" });
    expect(counter(m, "dataFrames")).toBe(1);
    expect(counter(m, "faults")).toBe(1);
    expect(m.kernel.regions(1).map((r) => r.kind)).toEqual(["mmap", "guard"]);
  });

  it("a huge page cannot hold a 4 KiB hole: partial mprotect/munmap fail, whole ones work", () => {
    const { m, heap } = withProcess();
    const hp = heap.mmap(2 * MiB, { hugePage: true });
    expect(hp % (2 * MiB)).toBe(0);
    expect(counter(m, "dataFrames")).toBe(512);
    const framesAfter = m.snapshot().framesInUse;
    heap.store64(hp + 8, 99);
    expect(heap.mprotect(hp + 4 * KiB, 4 * KiB, "none")).toBe(-1);
    expect(heap.munmap(hp + 4 * KiB, 4 * KiB)).toBe(-1);
    expect(heap.load64(hp + 8)).toBe(99);
    expect(m.snapshot().framesInUse).toBe(framesAfter);
    expect(heap.mprotect(hp, 2 * MiB, "r")).toBe(0);
    expect(pageFault(() => heap.store8(hp, 1))).toMatchObject({ kind: "protection" });
    expect(heap.munmap(hp, 2 * MiB)).toBe(0);
    expect(counter(m, "dataFrames")).toBe(0);
  });

  it("a multi-huge-page mapping splits on huge-page boundaries only; a contiguous one stays whole", () => {
    const { m, heap } = withProcess();
    const hp = heap.mmap(3 * 2 * MiB, { hugePage: true });
    heap.store64(hp, 1);
    heap.store64(hp + 2 * MiB, 2);
    heap.store64(hp + 4 * MiB, 3);
    expect(counter(m, "dataFrames")).toBe(3 * 512);
    // Inside the middle huge page: refused, nothing changes.
    expect(heap.mprotect(hp + 2 * MiB + 4 * KiB, 2 * MiB, "r")).toBe(-1);
    expect(heap.munmap(hp + 2 * MiB, MiB)).toBe(-1);
    // The middle huge page alone: read-only, then a guard (its 512 frames go back).
    expect(heap.mprotect(hp + 2 * MiB, 2 * MiB, "r")).toBe(0);
    expect(pageFault(() => heap.store8(hp + 2 * MiB + 5, 1))).toMatchObject({ kind: "protection" });
    heap.store8(hp + 5, 1);
    heap.store8(hp + 4 * MiB + 5, 1);
    expect(heap.load64(hp + 2 * MiB)).toBe(2);
    expect(heap.mprotect(hp + 2 * MiB, 2 * MiB, "none")).toBe(0);
    expect(counter(m, "dataFrames")).toBe(2 * 512);
    expect(pageFault(() => heap.load8(hp + 2 * MiB))).toMatchObject({ kind: "protection" });
    // The last one unmapped; the first keeps its bytes.
    expect(heap.munmap(hp + 4 * MiB, 2 * MiB)).toBe(0);
    expect(counter(m, "dataFrames")).toBe(512);
    expect(heap.load64(hp) & 0xff).toBe(1);
    const c = heap.mmap(2 * 2 * MiB, { hugePage: true, contiguous: true });
    expect(heap.mprotect(c, 2 * MiB, "r")).toBe(-1);
    expect(heap.munmap(c + 2 * MiB, 2 * MiB)).toBe(-1);
    expect(heap.mprotect(c, 4 * MiB, "r")).toBe(0);
  });

  it("huge pages extend TLB reach: a 64 MiB sweep misses per 4 KiB page vs per 2 MiB page", () => {
    const sweep = (huge: boolean): number => {
      const { m, heap } = withProcess({ physicalMemory: "512MiB" });
      const len = 64 * MiB;
      const base = huge ? heap.mmap(len, { hugePage: true }) : heap.mmap(len);
      for (let a = 0; a < len; a += 4096) heap.store8(base + a, 1); // touch (demand-fill the 4 KiB case)
      const before = m.snapshot();
      for (let pass = 0; pass < 2; pass++) for (let a = 0; a < len; a += 4096) heap.load8(base + a);
      const after = m.snapshot();
      return after.counters.walks - before.counters.walks;
    };
    const small = sweep(false);
    const huge = sweep(true);
    // 16384 distinct 4 KiB pages overflow the 1536-entry L2 each pass; 32 huge pages fit the L1-2M TLB.
    expect(small).toBe(2 * 16384);
    expect(huge).toBe(0);
  });

  it("a 16-bit toy machine: 1 KiB pages, one-level table", () => {
    const m = createMachine({ physicalMemory: "64KiB", paging: { virtualBits: 16, pageSize: "1KiB", levels: 1, pteBytes: 4 }, tlb: [{ name: "L1", entries: 8, ways: 2 }] });
    expect(m.config.paging.levelBits).toEqual([6]);
    const k = m.kernel;
    const pid = k.createProcess();
    const heap = k.heap(pid);
    const a = heap.sbrk(3000);
    expect(a).toBe(0x1000);
    heap.store32(a + 1022, 0x01020304); // crosses into the next 1 KiB page
    expect(heap.load32(a + 1022)).toBe(0x01020304);
    expect(m.snapshot().counters.pageTableFrames).toBe(1);
    expect(m.snapshot().counters.walkSteps).toBe(m.snapshot().counters.walks); // one PTE read per walk
    expect(pageFault(() => heap.load8(0xffff))).toMatchObject({ kind: "not-present", level: 0 });
    expect(k.access(pid, 0x10000, "read")).toMatchObject({ ok: false, fault: { kind: "address" } });
  });

  it("1 GiB pages map with one leaf at level 1", () => {
    const m = createMachine({ physicalMemory: "2GiB" });
    const pid = m.kernel.createProcess();
    const out = m.kernel.map(pid, GiB, { writable: true, user: true }, { pageSize: GiB });
    expect(out).toMatchObject({ ok: true, pageSize: GiB });
    expect(m.kernel.access(pid, GiB + 12345, "write")).toMatchObject({ ok: true, via: "walk", pageSize: GiB });
    expect(m.kernel.access(pid, GiB + 99999, "read")).toMatchObject({ ok: true, via: "L1-1G" });
    expect(m.snapshot().counters.walkSteps).toBe(2);
  });
});
