/**
 * The MMU: translate(vaddr, access, mode) -> physical address >= 0, or the
 * negated fault code with the details in the CPU's fault registers. Nothing
 * on this path allocates: no objects, closures, strings or exceptions.
 *
 * Modes:
 * - bare: paddr = vaddr (FAULT_ADDRESS beyond physical memory);
 * - base-limit: logical l < limit gives base + l, else FAULT_BOUNDS (counted
 *   in C_BOUNDS_TRAPS). Relocation applies in both privilege modes;
 * - paging: TLBs, then a walk of the radix tables in physical memory.
 *
 * Paging lookup order: every level-1 TLB (in configuration order), each for
 * every page size it holds, then the level-2 TLBs, and so on. A hit costs
 * costs.tlbHit[level-1] cycles and counts in that Tlb's `hits` and in
 * C_TLB_HIT_LEVELn; a hit at level >= 2 is copied into the level-1 TLBs for
 * that page size (a miss for each). A miss everywhere walks from the root
 * (costs.walkStep per entry read), sets ACCESSED on the path (and DIRTY on
 * the leaf for a write), checks permissions and fills every TLB holding the
 * page size, counting a miss in each.
 *
 * Permissions (checked on hits too, from the flags cached in the TLB):
 * a user access to a page without PTE_USER, or a write to a page without
 * PTE_WRITABLE (in either mode: write-protect is enforced for the supervisor
 * too, like x86 with CR0.WP), is FAULT_PROTECTION. FAULT_PRIVILEGE is kept
 * for privileged operations attempted from user mode (Cpu.checkPrivilege).
 * A missing entry is FAULT_NOT_PRESENT with the level where the walk stopped.
 * The first write through a TLB entry whose DIRTY bit is clear sets DIRTY in
 * the PTE (at the entry's pteAddr) and in the cached flags.
 *
 * Fast paths, exact by construction:
 * 1. the window — the page of the last level-1 hit, with the accesses its
 *    cached flags allow. Any other translation and every TLB change (insert,
 *    flush, invalidation, context switch) closes it, so a window hit is a
 *    repeated hit on the most recently used entry: it counts the same hit and
 *    cycles, and skips only a lookup that would change no replacement order;
 * 2. the front of the first probe (Tlb.enableFront): a direct-mapped index,
 *    by vpn, of the first level-1 TLB's slots for its smallest page size in
 *    the current address space. A front hit is the slot a lookup would find;
 *    it gets the same replacement update (Tlb.touch) and counts the same hit
 *    and cycles, without scanning the set. Anything else takes the general
 *    loop over every probe;
 * 3. probes for a page size with no live leaf anywhere (PageTables.leafCount)
 *    are skipped: every unmap invalidates the TLBs, so such a lookup would
 *    miss, and a miss has no side effect.
 * 4. front hits are counted in one integer field and folded by settle(),
 *    like the window's, when every cycle cost is a multiple of 2^-10 (then the
 *    cycle counter's sums are exact in any order);
 * 5. a lookup miss leaves its set's victim in the TLB (Tlb.lookupPlan) and
 *    the fill after the walk reuses it while the TLB is unchanged, instead of
 *    scanning the set a second time.
 * The window and the front are off while the stream is recorded. Doubles never cross a
 * non-inlined call (they would be boxed): the slow paths take their operand
 * in `va` and leave their result in `pa`.
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import { AccessRecorder, optimalMisses, tlbKey, tlbKeySetOf } from "./belady";
import type { NormalizedMachine } from "./config";
import {
  ACCESS_WRITE, C_BOUNDS_TRAPS, C_CYCLES, C_INVLPG, C_TLB_FLUSHES, C_TLB_HIT_LEVEL1, C_TLB_MISSES, C_WALKS, C_WALK_STEPS,
  FAULT_ADDRESS, FAULT_BOUNDS, FAULT_NOT_PRESENT, FAULT_PROTECTION, MODE_SUPERVISOR, MODE_USER, PTE_ACCESSED, PTE_DIRTY, PTE_HUGE, PTE_PRESENT,
  PTE_USER, PTE_WRITABLE, type AccessCode, type ModeCode,
} from "./constants";
import type { Cpu } from "./cpu";
import type { PhysicalMemory } from "./physical-memory";
import type { Tlb } from "./tlb";
import type { PageTables } from "./page-table";
import { COUNTERS, CPU, MACHINE_CONFIG, PAGE_TABLES, PHYSICAL_MEMORY, TLBS } from "./tokens";

const TWO32 = 4294967296;
const FLAG_MASK = 0x3ff;
const MODE_BARE = 0;
const MODE_BASE_LIMIT = 1;
const MODE_PAGING = 2;
const EMPTY_I32 = new Int32Array(0);
/** A write may go through a TLB entry without touching the PTE only when both are set. */
const WRITE_OK = PTE_WRITABLE | PTE_DIRTY;

/**
 * PERMITS[flags & 0x3ff]: the accesses a TLB entry with these cached flags
 * allows without a fault or a PTE update, as bit (mode * 4 + access).
 */
const PERMITS = Int32Array.from({ length: 1024 }, (_, flags) => {
  const read = 0b101; // read and exec
  const write = (flags & WRITE_OK) === WRITE_OK ? 0b010 : 0;
  const user = (flags & PTE_USER) !== 0 ? read | write : 0;
  return ((read | write) << (MODE_SUPERVISOR * 4)) | (user << (MODE_USER * 4));
});

/** Address translation with TLBs and page-table walks. */
@injectable()
export class Mmu {
  /** Virtual end (exclusive) of the page the last successful translation fell in. */
  lastEnd = 0;
  /** Virtual start of the page the last successful translation fell in. */
  lastStart = 0;
  /** Probe that served the last successful translation, or -1 for a walk (or no paging). */
  private lastK = -1;
  /** Window hits not yet folded into the counters (see settle). */
  private winHits = 0;
  /**
   * Front hits (outside the window) not yet folded into the counters (see settle): one integer
   * increment per hit instead of three read-modify-writes. Only when deferHits0: every cycle cost is a
   * multiple of 2^-10, so every sum the cycle counter goes through is exact (below 2^43) and adding
   * the hits' cycles later, in one product, gives the very same double.
   */
  private hits0 = 0;
  private readonly deferHits0: boolean;
  /** Page shift of the last walk. */
  private walkShift = 0;
  /** ASID of the current context (mirrors cpu.asid). */
  private asid = 0;

  // The window (see translate): the page [lastStart, lastEnd) of the last level-1 hit (probe lastK),
  // the accesses it allows (PERMITS bits, 0 = closed) and paddr - vaddr.
  private winPerm = 0;
  private winDelta = 0.5;
  /** Operand and result of translateSlow/hit/walk (see translate). */
  private va = 0.5;
  private pa = 0.5;

  // The first probe, when it is a level-1 TLB and the machine pages (else tlb0 is null).
  private tlb0: Tlb | null;
  private readonly firstProbe: Tlb | null;
  private readonly shift0: number;
  private readonly size0: number;
  private readonly inv0: number;
  private readonly cost0: number;
  private readonly modeCode: number;
  private readonly vlimit: number;
  private readonly physBytes: number;
  private readonly levels: number;
  private readonly pteBytes: number;
  /** 8-byte entries on a machine whose addresses need more than 32 bits: the high word must be read. */
  private readonly readHigh: boolean;
  private readonly addrScale: number;
  private readonly levelSize: Float64Array;
  private readonly entries: Float64Array;
  private readonly levelShifts: Int32Array;
  private readonly walkStep: number;
  // Probe k: TLB probeTlb[k] looked up for page size 2^probeShift[k]; ordered by TLB level.
  private readonly probeTlb: Tlb[];
  private readonly probeIndex: Int32Array;
  private readonly probeShift: Int32Array;
  private readonly probeSize: Float64Array;
  private readonly probeInv: Float64Array;
  private readonly levelInv: Float64Array;
  private readonly entriesInv: Float64Array;
  private readonly probeLevel: Int32Array;
  private readonly probeCost: Float64Array;
  private readonly probeCounter: Int32Array;
  // By page shift: the TLBs to fill after a walk, the level-1 TLBs to fill after a deeper hit.
  private readonly fillAll: Int32Array[];
  private readonly fillL1: Int32Array[];
  private readonly leafLevelOfShift: Int32Array;
  private readonly tlbLevel: Int32Array;
  private recorders: AccessRecorder[] | null = null;
  /** Live leaves per page shift (PageTables.leafCount): a size with none cannot hit. */
  private readonly leafCount: Float64Array;

  constructor(
    @inject(MACHINE_CONFIG) private readonly config: NormalizedMachine,
    @inject(CPU) private readonly cpu: Cpu,
    @inject(PHYSICAL_MEMORY) private readonly mem: PhysicalMemory,
    @inject(TLBS) readonly tlbs: readonly Tlb[],
    @inject(COUNTERS) private readonly counters: Float64Array,
    @inject(PAGE_TABLES) pageTables: PageTables,
  ) {
    this.leafCount = pageTables.leafCount;
    const pg = config.paging;
    this.modeCode = config.mode === "bare" ? MODE_BARE : config.mode === "base-limit" ? MODE_BASE_LIMIT : MODE_PAGING;
    this.vlimit = 2 ** pg.virtualBits;
    this.physBytes = config.physicalMemoryBytes;
    this.levels = pg.levels;
    this.pteBytes = pg.pteBytes;
    // Below 4 GiB (with pages >= 1 KiB) the high word of an 8-byte entry is always zero.
    this.readHigh = pg.pteBytes === 8 && config.physicalMemoryBytes * 2 ** (Math.max(pg.pageShift, 10) - pg.pageShift) > 2 ** 32;
    this.addrScale = 2 ** (pg.pageShift - Math.max(pg.pageShift, 10));
    this.levelSize = Float64Array.from(pg.levelShifts, (s) => 2 ** s);
    this.entries = Float64Array.from(pg.levelBits, (b) => 2 ** b);
    this.levelShifts = Int32Array.from(pg.levelShifts);
    this.walkStep = config.costs.walkStep;

    const tlbHit = config.costs.tlbHit;
    const order = tlbs.map((_, i) => i).sort((a, b) => tlbs[a].config.level - tlbs[b].config.level || a - b);
    const probes: { i: number; shift: number }[] = [];
    for (const i of order) for (const shift of tlbs[i].config.pageShifts) probes.push({ i, shift });
    this.probeTlb = probes.map((p) => tlbs[p.i]);
    this.probeIndex = Int32Array.from(probes, (p) => p.i);
    this.probeShift = Int32Array.from(probes, (p) => p.shift);
    this.probeSize = Float64Array.from(probes, (p) => 2 ** p.shift);
    this.probeLevel = Int32Array.from(probes, (p) => tlbs[p.i].config.level);
    this.probeCost = Float64Array.from(probes, (p) => tlbHit[Math.min(tlbs[p.i].config.level, tlbHit.length) - 1]);
    this.probeCounter = Int32Array.from(probes, (p) => C_TLB_HIT_LEVEL1 + Math.min(tlbs[p.i].config.level, 3) - 1);
    this.tlbLevel = Int32Array.from(tlbs, (t) => t.config.level);
    this.fillAll = [];
    this.fillL1 = [];
    this.leafLevelOfShift = new Int32Array(64).fill(-1);
    for (let s = 0; s < 64; s++) {
      const all = order.filter((i) => tlbs[i].config.pageShifts.includes(s));
      this.fillAll.push(all.length > 0 ? Int32Array.from(all) : EMPTY_I32);
      const l1 = all.filter((i) => tlbs[i].config.level === 1);
      this.fillL1.push(l1.length > 0 ? Int32Array.from(l1) : EMPTY_I32);
    }
    pg.levelShifts.forEach((s, i) => (this.leafLevelOfShift[s] = i));
    const first = this.modeCode === MODE_PAGING && probes.length > 0 && this.probeLevel[0] === 1 ? 0 : -1;
    this.tlb0 = first === 0 ? this.probeTlb[0] : null;
    // The front: twice the first probe's slots, rounded up to a power of two (at least 64).
    if (this.tlb0 !== null) this.tlb0.enableFront(Math.max(64, 2 ** Math.ceil(Math.log2(2 * this.tlb0.slots))), PERMITS);
    this.firstProbe = this.tlb0;
    this.shift0 = first === 0 ? this.probeShift[0] : 0;
    this.size0 = 2 ** this.shift0;
    this.inv0 = 2 ** -this.shift0;
    this.cost0 = first === 0 ? this.probeCost[0] : 0;
    const costs = config.costs;
    const dyadic = (x: number): boolean => Number.isInteger(x * 1024);
    this.deferHits0 = [...costs.tlbHit, costs.walkStep, costs.fault, costs.copyByte, costs.call, costs.check].every(dyadic);
    this.probeInv = Float64Array.from(this.probeShift, (sh) => 2 ** -sh);
    this.levelInv = Float64Array.from(pg.levelShifts, (sh) => 2 ** -sh);
    this.entriesInv = Float64Array.from(pg.levelBits, (b) => 2 ** -b);
  }

  /**
   * Translates one address: the physical address (>= 0) or -faultCode, with
   * the fault registers set. `lastEnd` tells where the page ends, for accesses
   * that may cross into the next page.
   */
  translate(vaddr: number, access: AccessCode, mode: ModeCode): number {
    // Kept small on purpose (V8's inlining budget): callers get the window inlined.
    // 1. The window: the page of the last level-1 hit, while no TLB has changed since.
    if (vaddr >= this.lastStart && vaddr < this.lastEnd && ((this.winPerm >> (mode * 4 + access)) & 1) !== 0) {
      // Counted in one integer field; folded into the TLB's hits and the cycle counter by settle().
      this.winHits++;
      return vaddr + this.winDelta;
    }
    // 2. The first probe's front (Tlb.enableFront): the slot a lookup would find, without scanning its set.
    const t0 = this.tlb0;
    if (t0 !== null) {
      const vpn = Math.floor(vaddr * this.inv0);
      const i = (vpn >>> 0) & t0.frontMask;
      if (t0.frontVpn[i] === vpn) {
        const permits = t0.frontPerm[i];
        if (((permits >> (mode * 4 + access)) & 1) !== 0) {
          const slot = t0.frontSlot[i];
          t0.touch(slot);
          if (this.winHits !== 0) this.settle();
          if (this.deferHits0) {
            this.hits0++;
          } else {
            t0.hits++;
            const c = this.counters;
            c[C_TLB_HIT_LEVEL1]++;
            c[C_CYCLES] += this.cost0;
          }
          const pageBase = vpn * this.size0;
          this.lastK = 0;
          this.lastStart = pageBase;
          this.lastEnd = pageBase + this.size0;
          this.winPerm = permits;
          this.winDelta = t0.paddr[slot] - pageBase;
          return vaddr + this.winDelta;
        }
      }
    }
    // Doubles cross non-inlined calls through fields: a double argument or result would be boxed (allocated).
    this.va = vaddr;
    const status = this.translateMiss(access, mode);
    return status < 0 ? status : this.pa;
  }

  /** Translates this.va outside the window and the front: 0 with the result in this.pa, or -faultCode. */
  private translateMiss(access: AccessCode, mode: ModeCode): number {
    if (this.winHits !== 0) this.settle();
    return this.translateSlow(access, mode);
  }

  /**
   * Folds the pending hits (the window's, into the TLB that owns the window;
   * the front's, into the first probe's TLB) into the TLBs' hits, the level-1 hit
   * counter and the cycle counter. Called before the window moves and before
   * anyone reads the counters (Machine.snapshot).
   */
  settle(): void {
    const h = this.hits0;
    if (h !== 0) {
      this.hits0 = 0;
      this.firstProbe!.hits += h;
      this.counters[C_TLB_HIT_LEVEL1] += h;
      this.counters[C_CYCLES] += h * this.cost0;
    }
    const n = this.winHits;
    if (n === 0) return;
    this.winHits = 0;
    const k = this.lastK;
    this.probeTlb[k].hits += n;
    const c = this.counters;
    c[C_TLB_HIT_LEVEL1] += n;
    c[C_CYCLES] += n * this.probeCost[k];
  }

  /** Index (in `tlbs`) of the TLB that served the last successful translation, or -1 for a walk (or no paging). */
  get lastVia(): number {
    return this.lastK >= 0 ? this.probeIndex[this.lastK] : -1;
  }

  /** log2 of the page size of the last successful translation. */
  get lastShift(): number {
    return this.lastK >= 0 ? this.probeShift[this.lastK] : this.walkShift;
  }

  /** Drops the TLB entries covering `vaddr` in address space `asid` (after a PTE change). */
  invalidatePage(vaddr: number, asid: number): void {
    for (let i = 0; i < this.tlbs.length; i++) this.tlbs[i].invalidatePage(vaddr, asid);
    this.counters[C_INVLPG]++;
    this.winPerm = 0;
  }

  /** Flushes every TLB. */
  flushAll(): void {
    for (let i = 0; i < this.tlbs.length; i++) this.tlbs[i].flushAll();
    this.winPerm = 0;
    this.counters[C_TLB_FLUSHES]++;
  }

  /** Flushes one address space's entries. */
  flushAsid(asid: number): void {
    for (let i = 0; i < this.tlbs.length; i++) this.tlbs[i].flushAsid(asid);
    this.winPerm = 0;
    this.counters[C_TLB_FLUSHES]++;
  }

  /** Loads the root and ASID of a new context; without ASIDs (config.asid false) flushes every TLB. */
  setContext(rootPaddr: number, asid: number): void {
    this.cpu.root = rootPaddr;
    this.winPerm = 0;
    if (this.config.asid) {
      this.cpu.asid = asid;
      this.asid = asid;
      this.firstProbe?.setFrontAsid(asid);
    } else {
      this.cpu.asid = 0;
      this.asid = 0;
      this.flushAll();
    }
  }

  /** ASID used for a process's translations (0 when ASIDs are off). */
  asidFor(pid: number): number {
    return this.config.asid ? pid : 0;
  }

  /** Starts (fresh) or stops recording the translation stream per TLB. */
  setRecording(on: boolean): void {
    this.recorders = on ? this.tlbs.map(() => new AccessRecorder(4096, 64 * 1024 * 1024)) : null;
    this.tlb0 = on ? null : this.firstProbe;
    this.winPerm = 0;
  }

  /** Belady-optimal misses of TLB `i` on the recorded stream, or undefined when not recording. */
  optimalMisses(i: number): number | undefined {
    const r = this.recorders?.[i];
    if (!r) return undefined;
    const t = this.tlbs[i];
    return optimalMisses(r.view(), r.length, t.sets, t.ways, tlbKeySetOf(t.sets));
  }

  /** Translates this.va; 0 with the result in this.pa, or -faultCode. */
  private translateSlow(access: AccessCode, mode: ModeCode): number {
    const vaddr = this.va;
    this.winPerm = 0;
    if (this.modeCode !== MODE_PAGING) {
      if (this.modeCode === MODE_BASE_LIMIT) {
        const cpu = this.cpu;
        if (vaddr >= 0 && vaddr < cpu.limit) {
          this.lastK = -1;
          this.walkShift = 0;
          this.lastStart = 0;
          this.lastEnd = cpu.limit;
          this.pa = cpu.base + vaddr;
          return 0;
        }
        this.counters[C_BOUNDS_TRAPS]++;
        return this.cpu.fault(FAULT_BOUNDS, vaddr, access, -1, mode);
      }
      if (vaddr >= 0 && vaddr < this.physBytes) {
        this.lastK = -1;
        this.walkShift = 0;
        this.lastStart = 0;
        this.lastEnd = this.physBytes;
        this.pa = vaddr;
        return 0;
      }
      return this.cpu.fault(FAULT_ADDRESS, vaddr, access, -1, mode);
    }
    if (!(vaddr >= 0 && vaddr < this.vlimit)) return this.cpu.fault(FAULT_ADDRESS, vaddr, access, -1, mode);
    const asid = this.asid;
    const n = this.probeTlb.length;
    for (let k = 0; k < n; k++) {
      if (this.leafCount[this.probeShift[k]] === 0) continue;
      const vpn = Math.floor(vaddr * this.probeInv[k]);
      const t = this.probeTlb[k];
      // A miss leaves the victim in the TLB: the fill after the walk then needs no second scan of the set.
      const slot = t.lookupPlan(vpn, this.probeShift[k], asid);
      if (slot >= 0) return this.hit(t, k, slot, access, mode);
    }
    return this.walk(access, mode);
  }

  private hit(t: Tlb, k: number, slot: number, access: AccessCode, mode: ModeCode): number {
    const vaddr = this.va;
    const vpn = Math.floor(vaddr * this.probeInv[k]);
    const asid = this.asid;
    const c = this.counters;
    const level = this.probeLevel[k];
    const shift = this.probeShift[k];
    const size = this.probeSize[k];
    t.hits++;
    c[this.probeCounter[k]]++;
    c[C_CYCLES] += this.probeCost[k];
    let flags = t.flags[slot];
    if ((mode === MODE_USER && (flags & PTE_USER) === 0) || (access === ACCESS_WRITE && (flags & PTE_WRITABLE) === 0)) {
      return this.cpu.fault(FAULT_PROTECTION, vaddr, access, this.leafLevelOfShift[shift], mode);
    }
    if (access === ACCESS_WRITE && (flags & PTE_DIRTY) === 0) {
      const pteAddr = t.pteAddr[slot];
      this.mem.store32(pteAddr, (this.mem.load32(pteAddr) | PTE_DIRTY | PTE_ACCESSED) >>> 0);
      flags |= PTE_DIRTY | PTE_ACCESSED;
      t.setFlags(slot, flags);
    }
    const pageBase = vpn * size;
    const framePaddr = t.paddr[slot];
    if (level === 1 && this.recorders === null) {
      this.winPerm = PERMITS[flags & FLAG_MASK];
      this.winDelta = framePaddr - pageBase;
    } else if (level > 1) {
      const l1 = this.fillL1[shift];
      const pteAddr = t.pteAddr[slot];
      for (let j = 0; j < l1.length; j++) {
        const u = this.tlbs[l1[j]];
        u.insert(vpn, shift, asid, framePaddr, flags, pteAddr);
        u.misses++;
      }
    }
    if (this.recorders !== null) this.record(level, shift, vpn, asid);
    this.lastK = k;
    this.lastStart = pageBase;
    this.lastEnd = pageBase + size;
    this.pa = framePaddr + (vaddr - pageBase);
    return 0;
  }

  private walk(access: AccessCode, mode: ModeCode): number {
    const vaddr = this.va;
    const asid = this.asid;
    const c = this.counters;
    const mem = this.mem;
    c[C_TLB_MISSES]++;
    c[C_WALKS]++;
    let table = this.cpu.root;
    if (table < 0) return this.cpu.fault(FAULT_NOT_PRESENT, vaddr, access, 0, mode);
    let perm = PTE_USER | PTE_WRITABLE;
    const last = this.levels - 1;
    for (let i = 0; ; i++) {
      // Index = floor(vaddr / 2^shift) mod 2^bits, with exact power-of-two multiplies (no fmod).
      const x = Math.floor(vaddr * this.levelInv[i]);
      const e = table + (x - Math.floor(x * this.entriesInv[i]) * this.entries[i]) * this.pteBytes;
      const lo = mem.load32(e);
      if ((lo & PTE_PRESENT) === 0) {
        c[C_WALK_STEPS] += i + 1;
        c[C_CYCLES] += (i + 1) * this.walkStep;
        return this.cpu.fault(FAULT_NOT_PRESENT, vaddr, access, i, mode);
      }
      perm &= lo;
      const hi = this.readHigh ? mem.load32(e + 4) : 0;
      const frame = (hi * TWO32 + (lo - (lo & FLAG_MASK))) * this.addrScale;
      if (i === last || (lo & PTE_HUGE) !== 0) {
        c[C_WALK_STEPS] += i + 1;
        c[C_CYCLES] += (i + 1) * this.walkStep;
        if ((mode === MODE_USER && (perm & PTE_USER) === 0) || (access === ACCESS_WRITE && (perm & PTE_WRITABLE) === 0)) {
          return this.cpu.fault(FAULT_PROTECTION, vaddr, access, i, mode);
        }
        const updated = (lo | PTE_ACCESSED | (access === ACCESS_WRITE ? PTE_DIRTY : 0)) >>> 0;
        if (updated !== lo) mem.store32(e, updated);
        const flags = (updated & FLAG_MASK & ~(PTE_USER | PTE_WRITABLE)) | (perm & (PTE_USER | PTE_WRITABLE));
        const shift = this.levelShifts[i];
        const size = this.levelSize[i];
        const vpn = Math.floor(vaddr * this.levelInv[i]);
        const pageBase = vpn * size;
        const fill = this.fillAll[shift];
        for (let j = 0; j < fill.length; j++) {
          const u = this.tlbs[fill[j]];
          u.insert(vpn, shift, asid, frame, flags, e);
          u.misses++;
        }
        if (this.recorders !== null) this.record(0x7fffffff, shift, vpn, asid);
        this.lastK = -1;
        this.walkShift = shift;
        this.lastStart = pageBase;
        this.lastEnd = pageBase + size;
        this.pa = frame + (vaddr - pageBase);
        return 0;
      }
      if ((lo & PTE_ACCESSED) === 0) mem.store32(e, (lo | PTE_ACCESSED) >>> 0);
      table = frame;
    }
  }

  private record(maxLevel: number, shift: number, vpn: number, asid: number): void {
    const recorders = this.recorders!;
    const fill = this.fillAll[shift];
    const key = tlbKey(vpn, shift, asid);
    for (let j = 0; j < fill.length; j++) if (this.tlbLevel[fill[j]] <= maxLevel) recorders[fill[j]].push(key);
  }
}
