/**
 * The operating-system side: processes, address spaces made of regions,
 * demand-zero paging, sbrk/mmap/munmap/mprotect, contiguous (base/limit)
 * segments, and the fault policy.
 *
 * Virtual layout of a paging process (vb = virtualBits):
 *   page 0 never mapped; heap from 2^(vb-4) growing up (at most to 2^(vb-2)
 *   by default); mmap regions placed top-down in [2^(vb-2), 2^(vb-1)).
 *
 * Policies (documented choices):
 * - Demand-zero: a not-present fault inside a region whose protection allows
 *   the access allocates a zeroed frame (C_MINOR_FAULTS, costs.fault cycles)
 *   and the access is retried.
 * - Delivered faults (C_FAULTS, costs.fault cycles): outside every region the
 *   kind is "not-present"; inside a region that forbids the access ("none"
 *   guard pages, writes to "r") it is "protection", as Linux distinguishes
 *   SEGV_MAPERR from SEGV_ACCERR. User access to a supervisor page is
 *   "protection" too.
 * - mprotect(..., "none") turns pages into guard pages: their frames are
 *   given back and their contents discarded (guard pages cost zero frames);
 *   making them "r"/"rw" again gives fresh demand-zero pages.
 * - Huge pages are atomic: munmap/mprotect of a huge-page region must start
 *   and end on its huge-page boundaries (as hugetlbfs requires), and a
 *   contiguous region must be covered whole; else -1 and nothing changes.
 *   The heap region cannot be munmapped or mprotected (-1); use mmap for
 *   guard pages.
 * - Frames mapped by `map` onto a chosen frame are not taken from the frame
 *   allocator and are not freed on unmap.
 * - Page tables are freed when the process is destroyed (not when they empty).
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import { ErrorCode, MemarenaError } from "../errors";
import type { MmapOptions, Protection, Segment } from "../sdk/types";
import type { NormalizedMachine } from "./config";
import {
  ACCESS_READ, ACCESS_WRITE, C_ACCESSES, C_BYTES_ACCESSED, C_COMPACTION_BYTES, C_CONTEXT_SWITCHES, C_CYCLES, C_FAULTS,
  C_LOADS, C_MINOR_FAULTS, C_MMAP_FAILURES, C_SBRK_FAILURES, C_STORES, FAULT_NOT_PRESENT, FAULT_PROTECTION, MODE_SUPERVISOR,
  MODE_USER, PTE_USER, PTE_WRITABLE, type AccessCode, type ModeCode,
} from "./constants";
import type { Cpu } from "./cpu";
import { FRAME_DATA, type FrameTable } from "./frames";
import type { Mmu } from "./mmu";
import type { PageTables } from "./page-table";
import type { PhysicalMemory, WordSource } from "./physical-memory";
import { COUNTERS, CPU, FRAME_TABLE, MACHINE_CONFIG, MMU, PAGE_TABLES, PHYSICAL_MEMORY } from "./tokens";
import type { AccessOutcome, Kernel, MapFlags, PrivilegedAction, ProcessOptions, Region } from "./types";
import { type HeapHost, UserHeap } from "./user-heap";

const MODE_BARE = 0;
const MODE_BASE_LIMIT = 1;
const MODE_PAGING = 2;

/** A virtual region as the kernel keeps it. */
interface VRegion {
  start: number;
  end: number;
  kind: "heap" | "mmap" | "guard";
  protection: Protection;
  pageShift: number;
  contiguous: boolean;
  /** PTE_USER in its leaves (false only for supervisor `map`s). */
  user: boolean;
  /** Frames not from the allocator (`map` onto a chosen frame): never freed here. */
  external: boolean;
  /** First frame of the single block backing a contiguous region, or -1. */
  blockPfn: number;
}

/** A process. */
interface Process {
  readonly pid: number;
  readonly asid: number;
  root: number;
  /** Sorted, non-overlapping; the heap region is always regions with kind "heap" (possibly empty). */
  regions: VRegion[];
  readonly heapStart: number;
  brk: number;
  readonly heapLimit: number;
  readonly alignment: number;
  readonly registers: Float64Array;
  heap?: UserHeap;
  /** Further heap facades with registers of their own (separateHeap). */
  moreHeaps?: UserHeap[];
  segBase: number;
  segSize: number;
  pinned: boolean;
}


/** The Kernel implementation. */
@injectable()
export class MachineKernel implements Kernel, HeapHost {
  /** The current process (-1 before the first switch). */
  currentPid = -1;
  private readonly procs = new Map<number, Process>();
  /** The process proc() returned last (dropped when it is destroyed). */
  private lastProc: Process | undefined = undefined;
  private nextPid = 1;
  private readonly paging: boolean;
  private readonly baseShift: number;
  private readonly pageSize: number;
  private readonly mmapFloor: number;
  private readonly mmapTop: number;
  private readonly defaultHeapStart: number;
  private readonly modeCode: number;
  private readonly vlimit: number;
  /** Results of span(). */
  private spanPaddr = 0;
  private spanEnd = 0;
  /** Bumped whenever any process's page tables change a mapping: invalidates the span cache. */
  private ptGen = 0;
  /** The span cache: the page [spanCacheStart, spanCacheEnd) of root spanCacheRoot at physical spanCachePaddr. */
  private spanCacheRoot = -1;
  private spanCacheGen = -1;
  private spanCacheStart = 0;
  private spanCacheEnd = 0;
  private spanCachePaddr = 0;
  /** pieces(): (physical address, length) pairs. */
  private pokeSpans = new Float64Array(16);

  constructor(
    @inject(MACHINE_CONFIG) private readonly config: NormalizedMachine,
    @inject(COUNTERS) private readonly counters: Float64Array,
    @inject(PHYSICAL_MEMORY) private readonly mem: PhysicalMemory,
    @inject(FRAME_TABLE) private readonly frames: FrameTable,
    @inject(PAGE_TABLES) private readonly pt: PageTables,
    @inject(CPU) private readonly cpu: Cpu,
    @inject(MMU) private readonly mmu: Mmu,
  ) {
    this.paging = config.mode === "paging";
    this.baseShift = config.paging.pageShift;
    this.pageSize = config.paging.pageSize;
    const vb = config.paging.virtualBits;
    this.defaultHeapStart = this.paging ? Math.max(this.pageSize, 2 ** (vb - 4)) : this.pageSize;
    this.mmapFloor = 2 ** (vb - 2);
    this.mmapTop = 2 ** (vb - 1);
    this.modeCode = config.mode === "bare" ? MODE_BARE : config.mode === "base-limit" ? MODE_BASE_LIMIT : MODE_PAGING;
    this.vlimit = 2 ** vb;
  }

  // ---- processes -------------------------------------------------------

  createProcess(options: ProcessOptions = {}): number {
    const pid = options.pid ?? this.nextPid;
    if (!Number.isSafeInteger(pid) || pid < 0 || this.procs.has(pid)) throw misuse(`pid ${pid} is taken or invalid`, { pid });
    this.nextPid = Math.max(this.nextPid, pid + 1);
    const heapStart = options.heapStart ?? this.defaultHeapStart;
    const vlimit = 2 ** this.config.paging.virtualBits;
    if (this.paging && (heapStart % this.pageSize !== 0 || heapStart <= 0 || heapStart >= vlimit)) {
      throw misuse(`heapStart 0x${heapStart.toString(16)} must be page-aligned, above 0 and below 0x${vlimit.toString(16)}`, { heapStart });
    }
    const defaultLimit = this.paging ? this.mmapFloor - heapStart : this.config.physicalMemoryBytes - heapStart;
    let root = -1;
    if (this.paging) {
      root = this.pt.createRoot(pid);
      if (root < 0) throw new MemarenaError(ErrorCode.OUT_OF_FRAMES, `no frame for the root page table of pid ${pid}`, { pid });
    }
    const proc: Process = {
      pid,
      asid: this.mmu.asidFor(pid),
      root,
      regions: [{ start: heapStart, end: heapStart, kind: "heap", protection: "rw", pageShift: this.baseShift, contiguous: false, user: true, external: false, blockPfn: -1 }],
      heapStart,
      brk: heapStart,
      heapLimit: options.heapLimitBytes ?? Math.max(0, defaultLimit),
      alignment: options.alignment ?? 16,
      registers: new Float64Array(16),
      segBase: 0,
      segSize: -1,
      pinned: false,
    };
    this.procs.set(pid, proc);
    return pid;
  }

  destroyProcess(pid: number): void {
    const proc = this.proc(pid);
    proc.heap?.settleCounters();
    for (const h of proc.moreHeaps ?? []) h.settleCounters();
    if (this.paging) {
      for (const r of proc.regions) this.releaseRegion(proc, r, r.start, r.end);
      this.ptGen++;
      this.pt.destroy(proc.root);
      if (this.config.asid) this.mmu.flushAsid(proc.asid);
      else if (this.currentPid === pid) this.mmu.flushAll();
    }
    proc.regions = [];
    this.procs.delete(pid);
    if (this.lastProc === proc) this.lastProc = undefined;
    if (this.currentPid === pid) {
      this.currentPid = -1;
      this.cpu.root = -1;
      this.cpu.base = 0;
      this.cpu.limit = 0;
    }
  }

  switchTo(pid: number): void {
    if (this.currentPid === pid) return;
    const proc = this.proc(pid);
    this.counters[C_CONTEXT_SWITCHES]++;
    if (this.paging) this.mmu.setContext(proc.root, proc.asid);
    else if (this.config.mode === "base-limit") this.cpu.setBaseLimit(proc.segBase, Math.max(0, proc.segSize), MODE_SUPERVISOR);
    this.currentPid = pid;
  }

  /**
   * Brings the machine's counters up to date: folds what the heaps and the
   * MMU count on the side (UserHeap.settleCounters, Mmu.settle). Anyone who
   * reads the counter array directly calls this first; snapshot() does.
   */
  settleCounters(): void {
    for (const proc of this.procs.values()) {
      proc.heap?.settleCounters();
      for (const h of proc.moreHeaps ?? []) h.settleCounters();
    }
    this.mmu.settle();
  }

  /** Pids of live processes, ascending. */
  pids(): number[] {
    return [...this.procs.keys()].sort((a, b) => a - b);
  }

  heap(pid: number): UserHeap {
    const proc = this.proc(pid);
    proc.heap ??= this.newHeap(proc, proc.registers);
    return proc.heap;
  }

  /**
   * Another heap facade of the same process with 16 registers of its own:
   * a sanitizer and the allocator it wraps share the address space but not
   * their scalars.
   */
  separateHeap(pid: number): UserHeap {
    const proc = this.proc(pid);
    const h = this.newHeap(proc, new Float64Array(16));
    (proc.moreHeaps ??= []).push(h);
    return h;
  }

  private newHeap(proc: Process, registers: Float64Array): UserHeap {
    return new UserHeap(
      {
        pid: proc.pid,
        heapStart: proc.heapStart,
        alignment: proc.alignment,
        pageSize: this.pageSize,
        hugePageSizes: this.paging ? this.config.paging.hugePageShifts.map((s) => 2 ** s) : [],
        registers,
        copyByteCost: this.config.costs.copyByte,
      },
      this,
      this.mmu,
      this.mem,
      this.counters,
    );
  }

  /** Physical address of a process's root page table (-1 without paging). */
  rootOf(pid: number): number {
    return this.proc(pid).root;
  }

  // ---- accesses --------------------------------------------------------

  access(pid: number, vaddr: number, access: "read" | "write", mode: "user" | "supervisor" = "user"): AccessOutcome {
    this.switchTo(pid);
    const a: AccessCode = access === "write" ? ACCESS_WRITE : ACCESS_READ;
    const m: ModeCode = mode === "supervisor" ? MODE_SUPERVISOR : MODE_USER;
    const c = this.counters;
    c[C_ACCESSES]++;
    c[a === ACCESS_WRITE ? C_STORES : C_LOADS]++;
    c[C_BYTES_ACCESSED]++;
    let p = this.mmu.translate(vaddr, a, m);
    if (p < 0 && this.resolve(this.proc(pid), vaddr, a, m) > 0) p = this.mmu.translate(vaddr, a, m);
    if (p < 0) {
      this.deliver();
      return { ok: false, fault: this.cpu.faultInfo() };
    }
    const via = this.mmu.lastVia >= 0 ? this.mmu.tlbs[this.mmu.lastVia].config.name : "walk";
    return { ok: true, paddr: p, via, pageSize: this.paging ? 2 ** this.mmu.lastShift : this.mmu.lastEnd - this.mmu.lastStart };
  }

  /** HeapHost: the fault path of the heap facade. */
  resolveUserFault(pid: number, vaddr: number, access: AccessCode): number {
    const proc = this.proc(pid);
    const resolved = this.resolve(proc, vaddr, access, MODE_USER);
    if (resolved > 0) {
      const p = this.mmu.translate(vaddr, access, MODE_USER);
      if (p >= 0) return p;
    } else if (resolved < 0) {
      throw new MemarenaError(ErrorCode.OUT_OF_FRAMES, `no free frame for a demand-zero page at 0x${vaddr.toString(16)} (pid ${pid})`, { pid, vaddr });
    }
    this.deliver();
    const fault = this.cpu.faultInfo();
    throw new MemarenaError(ErrorCode.PAGE_FAULT, `${fault.kind} fault: ${fault.access} at 0x${vaddr.toString(16)} (pid ${pid})`, { fault, pid });
  }

  /**
   * After a failed translation (fault registers set): 1 when a demand-zero
   * fill made the access possible, 0 when the fault must be delivered (the
   * registers then hold the kind to deliver), -1 when frames ran out.
   */
  private resolve(proc: Process, vaddr: number, access: AccessCode, mode: ModeCode): number {
    const cpu = this.cpu;
    if (!this.paging || cpu.faultCode !== FAULT_NOT_PRESENT) return 0;
    const r = this.regionAt(proc, vaddr);
    if (!r) return 0;
    if (r.protection === "none" || (access === ACCESS_WRITE && r.protection !== "rw")) {
      cpu.fault(FAULT_PROTECTION, vaddr, access, cpu.faultLevel, mode);
      return 0;
    }
    if (mode === MODE_USER && !r.user) {
      cpu.fault(FAULT_PROTECTION, vaddr, access, cpu.faultLevel, mode);
      return 0;
    }
    return this.fillPage(proc, r, vaddr) ? 1 : -1;
  }

  private deliver(): void {
    this.counters[C_FAULTS]++;
    this.counters[C_CYCLES] += this.config.costs.fault;
  }

  /** Backs the page of `r` covering `vaddr` with a zeroed frame (or its contiguous block). */
  private fillPage(proc: Process, r: VRegion, vaddr: number): boolean {
    const size = 2 ** r.pageShift;
    const pageBase = Math.floor(vaddr / size) * size;
    let paddr: number;
    let pfn = -1;
    if (r.blockPfn >= 0) {
      paddr = r.blockPfn * this.pageSize + (pageBase - r.start);
    } else {
      pfn = this.frames.alloc(r.pageShift - this.baseShift, FRAME_DATA, proc.pid);
      if (pfn < 0) return false;
      paddr = pfn * this.pageSize;
    }
    this.mem.fill(paddr, 0, size);
    this.ptGen++;
    const res = this.pt.map(proc.root, pageBase, paddr, this.pt.levelOfShift(r.pageShift), leafFlags(r), proc.pid);
    if (res < 0) {
      if (pfn >= 0) this.frames.free(pfn);
      return false;
    }
    this.counters[C_MINOR_FAULTS]++;
    this.counters[C_CYCLES] += this.config.costs.fault;
    return true;
  }

  // ---- system calls ----------------------------------------------------

  /** HeapHost: current break. */
  heapEnd(pid: number): number {
    return this.proc(pid).brk;
  }

  sbrk(pid: number, increment: number): number {
    const proc = this.proc(pid);
    if (!(Number.isSafeInteger(increment) && increment >= 0)) return -1;
    const old = this.grow(proc, increment);
    // Only refusals for lack of room count: a malformed call must not make a later malloc failure look fair.
    if (old < 0) this.counters[C_SBRK_FAILURES]++;
    return old;
  }

  private grow(proc: Process, increment: number): number {
    const old = proc.brk;
    const brk = old + increment;
    if (brk - proc.heapStart > proc.heapLimit) return -1;
    if (this.paging) {
      const rs = proc.regions;
      let heap = rs[0];
      for (let i = 0; heap.kind !== "heap"; ) heap = rs[++i];
      const end = roundUp(brk, this.pageSize);
      for (let i = 0; i < rs.length; i++) {
        const r = rs[i];
        if (r !== heap && r.start < end && r.end > heap.start) return -1;
      }
      if (end > this.vlimit) return -1;
      heap.end = Math.max(heap.end, end);
    } else if (this.config.mode === "base-limit" ? brk > Math.max(0, proc.segSize) : brk > this.config.physicalMemoryBytes) {
      return -1;
    }
    proc.brk = brk;
    return old;
  }

  mmap(pid: number, length: number, options: MmapOptions = {}): number {
    const proc = this.proc(pid);
    if (!(Number.isSafeInteger(length) && length > 0)) return -1;
    const addr = this.paging ? this.mapFresh(proc, length, options) : -1;
    if (addr < 0) this.counters[C_MMAP_FAILURES]++;
    return addr;
  }

  private mapFresh(proc: Process, length: number, options: MmapOptions): number {
    const pid = proc.pid;
    const hugeShifts = this.config.paging.hugePageShifts;
    if (options.hugePage && hugeShifts.length === 0) return -1;
    const pageShift = options.hugePage ? hugeShifts[0] : this.baseShift;
    const size = 2 ** pageShift;
    const len = roundUp(length, size);
    const start = this.findGap(proc, len, size);
    if (start < 0) return -1;
    const r: VRegion = { start, end: start + len, kind: "mmap", protection: "rw", pageShift, contiguous: !!options.contiguous, user: true, external: false, blockPfn: -1 };
    if (options.contiguous) {
      const order = Math.ceil(Math.log2(len / this.pageSize));
      const pfn = this.frames.alloc(order, FRAME_DATA, pid);
      if (pfn < 0) return -1;
      r.blockPfn = pfn;
    }
    this.insertRegion(proc, r);
    if (options.contiguous || options.hugePage) {
      // Eager: every page backed now, or nothing at all.
      for (let va = start; va < r.end; va += size) {
        if (!this.fillPage(proc, r, va)) {
          this.removeRange(proc, start, r.end);
          return -1;
        }
      }
    }
    return start;
  }

  munmap(pid: number, addr: number, length: number): number {
    const proc = this.proc(pid);
    if (!this.paging || !this.validRange(addr, length)) return -1;
    const end = addr + roundUp(length, this.pageSize);
    const hits = overlapping(proc, addr, end);
    if (hits.some((r) => r.kind === "heap" || cutsAtom(r, addr, end, this.baseShift))) return -1;
    this.removeRange(proc, addr, end);
    return 0;
  }

  mprotect(pid: number, addr: number, length: number, prot: Protection): number {
    const proc = this.proc(pid);
    if (!this.paging || !this.validRange(addr, length) || (prot !== "none" && prot !== "r" && prot !== "rw")) return -1;
    const end = addr + roundUp(length, this.pageSize);
    const hits = overlapping(proc, addr, end);
    // The range must be covered without gaps, outside the heap, and cut no huge page or contiguous region.
    let cursor = addr;
    for (const r of hits) {
      if (r.start > cursor || r.kind === "heap") return -1;
      if (cutsAtom(r, addr, end, this.baseShift)) return -1;
      cursor = r.end;
    }
    if (cursor < end) return -1;
    for (const r of hits) {
      const s = Math.max(addr, r.start);
      const e = Math.min(end, r.end);
      const [piece] = this.splitOut(proc, r, s, e);
      if (prot === "none") {
        this.releaseRegion(proc, piece, s, e);
        piece.contiguous = false;
        piece.blockPfn = -1;
      } else {
        this.reprotect(proc, piece, prot === "rw");
      }
      piece.protection = prot;
      piece.kind = prot === "none" ? "guard" : "mmap";
    }
    return 0;
  }

  // ---- supervisor operations -------------------------------------------

  map(pid: number, vaddr: number, flags: MapFlags, options: { frame?: number; pageSize?: number } = {}): AccessOutcome {
    const proc = this.proc(pid);
    const size = options.pageSize ?? this.pageSize;
    const shift = Math.log2(size);
    const level = this.paging ? this.pt.levelOfShift(shift) : -1;
    const fail = (): AccessOutcome => ({ ok: false, fault: { kind: "address", vaddr, access: "write", level: -1, mode: "supervisor" } });
    if (level < 0 || (shift !== this.baseShift && !this.config.paging.hugePageShifts.includes(shift))) return fail();
    if (!(Number.isSafeInteger(vaddr) && vaddr >= 0 && vaddr % size === 0 && vaddr + size <= 2 ** this.config.paging.virtualBits)) return fail();
    let paddr: number;
    const external = options.frame !== undefined;
    if (external) {
      paddr = options.frame! * this.pageSize;
      if (!Number.isSafeInteger(options.frame) || paddr % size !== 0 || !this.mem.contains(paddr, size)) return fail();
    } else {
      paddr = -1;
    }
    const hits = overlapping(proc, vaddr, vaddr + size);
    if (hits.some((r) => r.kind === "heap" || cutsAtom(r, vaddr, vaddr + size, this.baseShift))) return fail();
    this.removeRange(proc, vaddr, vaddr + size);
    if (!external) {
      const pfn = this.frames.alloc(shift - this.baseShift, FRAME_DATA, pid);
      if (pfn < 0) return { ok: false, fault: { kind: "not-present", vaddr, access: "write", level: -1, mode: "supervisor" } };
      paddr = pfn * this.pageSize;
      this.mem.fill(paddr, 0, size);
    }
    const r: VRegion = {
      start: vaddr, end: vaddr + size, kind: "mmap", protection: flags.writable === false ? "r" : "rw", pageShift: shift,
      contiguous: false, user: flags.user !== false, external, blockPfn: -1,
    };
    this.ptGen++;
    const res = this.pt.map(proc.root, vaddr, paddr, level, leafFlags(r), pid);
    if (res < 0) {
      if (!external) this.frames.free(paddr / this.pageSize);
      return { ok: false, fault: { kind: "not-present", vaddr, access: "write", level: -1, mode: "supervisor" } };
    }
    this.insertRegion(proc, r);
    return { ok: true, paddr, via: "map", pageSize: size };
  }

  privileged(pid: number, action: PrivilegedAction, mode: "user" | "supervisor"): AccessOutcome {
    const proc = this.proc(pid);
    this.switchTo(pid);
    const m: ModeCode = mode === "supervisor" ? MODE_SUPERVISOR : MODE_USER;
    if (!this.cpu.checkPrivilege(m)) {
      this.deliver();
      return { ok: false, fault: this.cpu.faultInfo() };
    }
    switch (action) {
      case "set-root":
        if (this.paging) this.mmu.setContext(proc.root, proc.asid);
        break;
      case "flush-tlb":
        this.mmu.flushAll();
        break;
      case "set-base-limit":
        this.cpu.setBaseLimit(proc.segBase, Math.max(0, proc.segSize), m);
        break;
      case "write-pte":
        // Allowed in supervisor mode; the op changes no mapping (map and mprotect do that).
        break;
    }
    return { ok: true, paddr: 0, via: action, pageSize: 0 };
  }

  peek(pid: number, vaddr: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    return this.peekInto(pid, vaddr, out, length) ? out : null;
  }

  /**
   * Like peek, into `out[0, length)` instead of a new array (the grader's
   * checks call this per op): false when some byte is unmapped (`out` then
   * holds a prefix of the bytes).
   */
  peekInto(pid: number, vaddr: number, out: Uint8Array, length: number): boolean {
    const proc = this.proc(pid);
    let done = 0;
    while (done < length) {
      const va = vaddr + done;
      if (!this.span(proc, va)) return false;
      const n = Math.min(length - done, this.spanEnd - va);
      this.mem.read(this.spanPaddr, out, done, n);
      done += n;
    }
    return true;
  }

  /** Writes `bytes[0, length)` (default: all of them); see the Kernel interface. Each page is walked once. */
  poke(pid: number, vaddr: number, bytes: Uint8Array, length = bytes.length): boolean {
    const count = this.pieces(this.proc(pid), vaddr, length, true);
    if (count < 0) return false;
    const spans = this.pokeSpans;
    for (let k = 0, done = 0; k < count; k++) {
      const n = spans[k * 2 + 1];
      this.mem.write(spans[k * 2], bytes, done, n);
      done += n;
    }
    return true;
  }

  /** Like poke, writing bytes [srcPos, srcPos + length) of a word source (no byte array is made). */
  pokeSource(pid: number, vaddr: number, length: number, src: WordSource, srcPos: number): boolean {
    const count = this.pieces(this.proc(pid), vaddr, length, true);
    if (count < 0) return false;
    const spans = this.pokeSpans;
    for (let k = 0, done = 0; k < count; k++) {
      const n = spans[k * 2 + 1];
      this.mem.writeSource(spans[k * 2], n, src, srcPos + done);
      done += n;
    }
    return true;
  }

  /**
   * Compares [vaddr, vaddr + length) with bytes [srcPos, srcPos + length) of
   * a word source, as peek would see it: the first differing offset, -1 when
   * all match, -2 when some byte is unmapped (peek would give null).
   */
  compareSource(pid: number, vaddr: number, length: number, src: WordSource, srcPos: number): number {
    const count = this.pieces(this.proc(pid), vaddr, length, false);
    if (count < 0) return -2;
    const spans = this.pokeSpans;
    for (let k = 0, done = 0; k < count; k++) {
      const n = spans[k * 2 + 1];
      const at = this.mem.firstDifferenceFrom(spans[k * 2], n, src, srcPos + done);
      if (at >= 0) return done + at;
      done += n;
    }
    return -1;
  }

  /**
   * The physical pieces of [vaddr, vaddr + length) as (paddr, length) pairs
   * in pokeSpans; returns their number, or -1 when a page is unmapped. With
   * `back`, unmapped pages of valid regions are demand-filled first (poke:
   * every page is checked and backed before anything is written).
   */
  private pieces(proc: Process, vaddr: number, length: number, back: boolean): number {
    let spans = this.pokeSpans;
    let count = 0;
    for (let done = 0; done < length; ) {
      const va = vaddr + done;
      if (!this.span(proc, va)) {
        if (!back) return -1;
        const r = this.paging ? this.regionAt(proc, va) : undefined;
        if (!r || r.protection === "none" || !this.fillPage(proc, r, va)) return -1;
        this.span(proc, va);
      }
      const n = Math.min(length - done, this.spanEnd - va);
      if (count * 2 === spans.length) {
        const grown = new Float64Array(spans.length * 2);
        grown.set(spans);
        spans = this.pokeSpans = grown;
      }
      spans[count * 2] = this.spanPaddr;
      spans[count * 2 + 1] = n;
      count++;
      done += n;
    }
    return count;
  }

  mappedBytes(pid: number): number {
    return this.regionBytes(pid, false);
  }

  virtualBytes(pid: number): number {
    return this.regionBytes(pid, true);
  }

  /** Heap extent plus the mmapped regions (and guard regions with `guards`). */
  private regionBytes(pid: number, guards: boolean): number {
    const proc = this.proc(pid);
    let bytes = proc.brk - proc.heapStart;
    const rs = proc.regions;
    for (let i = 0; i < rs.length; i++) {
      const kind = rs[i].kind;
      if (kind === "mmap" || (guards && kind === "guard")) bytes += rs[i].end - rs[i].start;
    }
    return bytes;
  }

  regions(pid: number): readonly Region[] {
    return this.proc(pid).regions
      .filter((r) => r.end > r.start)
      .map((r) => ({ start: r.start, end: r.end, kind: r.kind, protection: r.protection, pageSize: 2 ** r.pageShift, contiguous: r.contiguous }));
  }

  // ---- contiguous segments (base-limit) -------------------------------

  /** Gives `pid` the physical segment [base, base + size) (zeroed) and loads base/limit when it is current. */
  createSegment(pid: number, base: number, size: number): void {
    const proc = this.proc(pid);
    if (!(Number.isSafeInteger(base) && Number.isSafeInteger(size) && size > 0 && this.mem.contains(base, size))) {
      throw misuse(`segment [0x${base.toString(16)}, +${size}) is not inside physical memory`, { pid, base, size });
    }
    this.mem.fill(base, 0, size);
    proc.segBase = base;
    proc.segSize = size;
    if (this.currentPid === pid) this.cpu.setBaseLimit(base, size, MODE_SUPERVISOR);
  }

  /** Moves a segment's bytes to `newBase` (memmove), counts C_COMPACTION_BYTES and copy cycles, updates the base register. */
  relocateSegment(pid: number, newBase: number): void {
    const proc = this.proc(pid);
    if (proc.segSize < 0) throw misuse(`pid ${pid} has no segment`, { pid });
    if (!(Number.isSafeInteger(newBase) && this.mem.contains(newBase, proc.segSize))) {
      throw misuse(`segment of pid ${pid} cannot move to 0x${newBase.toString(16)}`, { pid, newBase });
    }
    this.mem.copy(newBase, proc.segBase, proc.segSize);
    this.counters[C_COMPACTION_BYTES] += proc.segSize;
    this.counters[C_CYCLES] += proc.segSize * this.config.costs.copyByte;
    proc.segBase = newBase;
    if (this.currentPid === pid) this.cpu.setBaseLimit(newBase, proc.segSize, MODE_SUPERVISOR);
  }

  /** The segment of `pid`, or undefined. */
  segment(pid: number): Segment | undefined {
    const proc = this.proc(pid);
    return proc.segSize < 0 ? undefined : { pid, base: proc.segBase, size: proc.segSize, pinned: proc.pinned };
  }

  /** Every segment, by base. */
  segments(): Segment[] {
    return this.pids().map((pid) => this.segment(pid)).filter((s): s is Segment => s !== undefined).sort((a, b) => a.base - b.base);
  }

  /** Marks a segment pinned (DMA in flight) or not; relocation is still allowed (and shows up as DMA corruption). */
  setPinned(pid: number, pinned: boolean): void {
    this.proc(pid).pinned = pinned;
  }

  // ---- internals -------------------------------------------------------

  private proc(pid: number): Process {
    // Most calls name the process of the call before: one comparison instead of a map lookup.
    const last = this.lastProc;
    if (last !== undefined && last.pid === pid) return last;
    const p = this.procs.get(pid);
    if (!p) throw misuse(`no process ${pid}`, { pid });
    this.lastProc = p;
    return p;
  }

  private regionAt(proc: Process, vaddr: number): VRegion | undefined {
    const rs = proc.regions;
    for (let i = 0; i < rs.length; i++) if (vaddr >= rs[i].start && vaddr < rs[i].end) return rs[i];
    return undefined;
  }

  /**
   * Sets spanPaddr to the physical address of `vaddr` and spanEnd to the
   * virtual end of its physically contiguous span; false when unmapped. No
   * counters, no allocation.
   */
  private span(proc: Process, vaddr: number): boolean {
    if (this.modeCode === MODE_BARE) {
      if (!(vaddr >= 0 && vaddr < this.mem.sizeBytes)) return false;
      this.spanPaddr = vaddr;
      this.spanEnd = this.mem.sizeBytes;
      return true;
    }
    if (this.modeCode === MODE_BASE_LIMIT) {
      if (!(vaddr >= 0 && vaddr < proc.segSize)) return false;
      this.spanPaddr = proc.segBase + vaddr;
      this.spanEnd = proc.segSize;
      return true;
    }
    if (!(vaddr >= 0 && vaddr < this.vlimit)) return false;
    // The grader's own path (peek, poke, payload checks) touches the same page op after op: the last
    // page found stays valid until a mapping of any process changes (ptGen), so the walk is skipped.
    if (vaddr >= this.spanCacheStart && vaddr < this.spanCacheEnd && proc.root === this.spanCacheRoot && this.spanCacheGen === this.ptGen) {
      this.spanPaddr = this.spanCachePaddr + (vaddr - this.spanCacheStart);
      this.spanEnd = this.spanCacheEnd;
      return true;
    }
    const e = this.pt.leafAt(proc.root, vaddr);
    if (e < 0) return false;
    const size = this.pt.levelSize[this.pt.leafLevel];
    const base = Math.floor(vaddr / size) * size;
    this.spanPaddr = this.pt.leafFrame + (vaddr - base);
    this.spanEnd = base + size;
    this.spanCacheRoot = proc.root;
    this.spanCacheGen = this.ptGen;
    this.spanCacheStart = base;
    this.spanCacheEnd = base + size;
    this.spanCachePaddr = this.pt.leafFrame;
    return true;
  }

  private validRange(addr: number, length: number): boolean {
    return Number.isSafeInteger(addr) && addr >= 0 && addr % this.pageSize === 0 && Number.isSafeInteger(length) && length > 0;
  }

  /** Highest free [start, start + len) in the mmap area aligned to `align`, or -1. */
  private findGap(proc: Process, len: number, align: number): number {
    let hi = this.mmapTop;
    const rs = proc.regions;
    for (let i = rs.length - 1; i >= -1; i--) {
      const r = i >= 0 ? rs[i] : undefined;
      if (r && (r.end <= r.start || r.start >= hi)) continue;
      const lo = r ? Math.max(r.end, this.mmapFloor) : this.mmapFloor;
      if (hi - len >= lo) {
        const start = Math.floor((hi - len) / align) * align;
        if (start >= lo) return start;
      }
      if (r) hi = Math.min(hi, r.start);
      if (hi <= this.mmapFloor) return -1;
    }
    return -1;
  }

  private insertRegion(proc: Process, r: VRegion): void {
    proc.regions.push(r);
    proc.regions.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** Unmaps [start, end) from every (non-heap) region, giving frames back and trimming or splitting regions. */
  private removeRange(proc: Process, start: number, end: number): void {
    for (const r of overlapping(proc, start, end).filter((x) => x.kind !== "heap")) {
      const s = Math.max(start, r.start);
      const e = Math.min(end, r.end);
      const [piece] = this.splitOut(proc, r, s, e);
      this.releaseRegion(proc, piece, s, e);
      proc.regions.splice(proc.regions.indexOf(piece), 1);
    }
  }

  /** Splits `r` so that [s, e) is a region of its own; returns it. */
  private splitOut(proc: Process, r: VRegion, s: number, e: number): [VRegion] {
    const rs = proc.regions;
    const i = rs.indexOf(r);
    const parts: VRegion[] = [];
    if (r.start < s) parts.push({ ...r, end: s });
    const mid = { ...r, start: s, end: e };
    parts.push(mid);
    if (e < r.end) parts.push({ ...r, start: e });
    rs.splice(i, 1, ...parts);
    return [mid];
  }

  /** Unmaps the pages of `r` in [s, e), frees their frames (and the contiguous block), invalidates TLB entries. */
  private releaseRegion(proc: Process, r: VRegion, s: number, e: number): void {
    if (r.kind === "heap" && r.end === r.start) return;
    const size = 2 ** r.pageShift;
    const level = this.pt.levelOfShift(r.pageShift);
    for (let va = s; va < e; va += size) {
      this.ptGen++;
      const frame = this.pt.unmap(proc.root, va, level);
      if (frame < 0) continue;
      this.mmu.invalidatePage(va, proc.asid);
      if (!r.external && r.blockPfn < 0) this.frames.free(frame / this.pageSize);
    }
    if (r.blockPfn >= 0) {
      this.frames.free(r.blockPfn);
      r.blockPfn = -1;
    }
  }

  /** Rewrites the writable bit of the present leaves of `r`. */
  private reprotect(proc: Process, r: VRegion, writable: boolean): void {
    const size = 2 ** r.pageShift;
    const level = this.pt.levelOfShift(r.pageShift);
    for (let va = r.start; va < r.end; va += size) {
      const e = this.pt.leafEntry(proc.root, va, level);
      if (e < 0) continue;
      const f = this.pt.flagsAt(e);
      this.ptGen++;
      this.pt.setFlags(e, writable ? f | PTE_WRITABLE : f & ~PTE_WRITABLE);
      this.mmu.invalidatePage(va, proc.asid);
    }
  }
}

/** The non-empty regions meeting [start, end), in address order. */
function overlapping(proc: Process, start: number, end: number): VRegion[] {
  return proc.regions.filter((r) => r.end > r.start && r.start < end && r.end > start);
}

/** Leaf PTE flags for pages of a region. */
function leafFlags(r: VRegion): number {
  return (r.user ? PTE_USER : 0) | (r.protection === "rw" ? PTE_WRITABLE : 0);
}

/**
 * True when [addr, end) cuts through something that must stay whole: a
 * contiguous region (one physical block) not covered entirely, or a huge page
 * of a huge-page region (the range's ends inside it must fall on its page
 * boundaries).
 */
function cutsAtom(r: VRegion, addr: number, end: number, baseShift: number): boolean {
  if (r.contiguous) return addr > r.start || end < r.end;
  if (r.pageShift <= baseShift) return false;
  const size = 2 ** r.pageShift;
  const s = Math.max(addr, r.start);
  const e = Math.min(end, r.end);
  return (s - r.start) % size !== 0 || (e - r.start) % size !== 0;
}

function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function misuse(message: string, data: Record<string, unknown>): MemarenaError {
  return new MemarenaError(ErrorCode.MACHINE_MISUSE, message, data);
}
