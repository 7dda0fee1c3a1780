/**
 * TLBs: set-associative translation caches over flat typed arrays.
 *
 * Slot layout: slot = set * ways + way. Every per-slot field is one typed
 * array indexed by slot, so a lookup is one set computation and a scan of
 * `ways` slots comparing three numbers — no objects, closures or exceptions
 * per access (v86 style).
 *
 * | array     | type         | meaning                                           |
 * |-----------|--------------|---------------------------------------------------|
 * | tagVpn    | Float64Array | virtual page number (vaddr >> pageShift; > 2^32)  |
 * | tagShift  | Int8Array    | log2 of the page size, -1 = empty slot             |
 * | tagAsid   | Int32Array   | address-space id (0 when ASIDs are off)           |
 * | paddr     | Float64Array | physical address of the page start                |
 * | flags     | Int32Array   | PTE_* bits cached from the leaf                   |
 * | pteAddr   | Float64Array | physical address of the leaf PTE                  |
 * | stamp     | Float64Array | LRU: last use; FIFO: insertion; -1 = empty        |
 * | ref       | Uint8Array   | clock reference bit                               |
 *
 * Replacement (the same for every set, sets independent):
 * - an insert of a (vpn, pageShift, asid) already present rewrites that slot
 *   and counts as a use (LRU: most recent; FIFO: keeps its age; clock: ref = 1);
 * - otherwise the lowest empty way of the set is filled;
 * - otherwise the victim is: lru — least recently used; fifo — oldest
 *   inserted; random — way `floor(random() * ways)`; clock — second chance:
 *   the set's hand clears set reference bits until it finds a clear one, evicts
 *   it and moves one past it. Inserted and hit entries get ref = 1.
 */
import type { NormalizedTlb, ReplacementPolicy } from "./config";

const POLICY_LRU = 0;
const POLICY_FIFO = 1;
const POLICY_RANDOM = 2;
const POLICY_CLOCK = 3;
const POLICY_CODES: Readonly<Record<ReplacementPolicy, number>> = { lru: POLICY_LRU, fifo: POLICY_FIFO, random: POLICY_RANDOM, clock: POLICY_CLOCK };

/** One set-associative TLB holding one or more page sizes. */
export class Tlb {
  /** Physical address of the page start, per slot. Read directly by the MMU after a hit. */
  readonly paddr: Float64Array;
  /** PTE flag bits (constants.ts PTE_*) cached per slot. */
  readonly flags: Int32Array;
  /** Physical address of the leaf PTE, per slot (to set the dirty bit on a first write). */
  readonly pteAddr: Float64Array;
  /** Virtual page number tag per slot (meaningful only where tagShift >= 0). */
  readonly tagVpn: Float64Array;
  /** Page shift per slot; -1 marks an empty slot. */
  readonly tagShift: Int8Array;
  /** ASID tag per slot. */
  readonly tagAsid: Int32Array;
  /** Hits and misses counted by this TLB. */
  hits = 0;
  misses = 0;
  /** Number of sets. */
  readonly sets: number;
  /** Ways per set. */
  readonly ways: number;
  /** Total slots (sets × ways). */
  readonly slots: number;

  private readonly stamp: Float64Array;
  private readonly ref: Uint8Array;
  private readonly hand: Int32Array;
  /** Dense list of filled slots (first `count` entries) and each slot's index in it (-1 when empty). */
  private readonly filled: Int32Array;
  private readonly filledAt: Int32Array;
  private count = 0;
  private tick = 0;
  /** Slots cleared so far (drop, flush): with `tick`, tells whether a planned victim is still the one a scan would pick. */
  private clears = 0;
  // The fill plan left by the last lookupPlan miss (see there): key, slot, and the tick/clears it was taken at.
  private planSlot = -1;
  private planVpn = -1;
  private planShift = -1;
  private planAsid = 0;
  private planTick = -1;
  private planClears = -1;
  /** vpn, paddr, pteAddr of insert, staged for insertScan: a double argument to a non-inlined call is boxed (allocated). */
  private readonly arg = new Float64Array(3);
  private readonly setMask: number;
  private readonly policy: number;
  private readonly pageSizes: Float64Array;
  private readonly shifts: Int8Array;

  constructor(readonly config: NormalizedTlb, private readonly random: () => number) {
    const { sets, ways } = config;
    if (!Number.isInteger(sets) || sets < 1 || !Number.isInteger(ways) || ways < 1) {
      throw new RangeError(`TLB ${config.name}: sets (${sets}) and ways (${ways}) must be integers >= 1`);
    }
    this.sets = sets;
    this.ways = ways;
    const n = sets * ways;
    this.slots = n;
    this.paddr = new Float64Array(n);
    this.flags = new Int32Array(n);
    this.pteAddr = new Float64Array(n);
    this.tagVpn = new Float64Array(n);
    this.tagShift = new Int8Array(n).fill(-1);
    this.tagAsid = new Int32Array(n);
    this.stamp = new Float64Array(n).fill(-1);
    this.ref = new Uint8Array(n);
    this.hand = new Int32Array(sets);
    this.filled = new Int32Array(n);
    this.filledAt = new Int32Array(n).fill(-1);
    // -1 selects the modulo path for set counts that are not powers of two.
    this.setMask = (sets & (sets - 1)) === 0 ? sets - 1 : -1;
    this.policy = POLICY_CODES[config.policy];
    if (this.policy === undefined) throw new RangeError(`TLB ${config.name}: unknown policy ${String(config.policy)}`);
    this.shifts = Int8Array.from(config.pageShifts);
    this.pageSizes = Float64Array.from(config.pageShifts, (s) => 2 ** s);
  }

  /** Number of filled slots. */
  get validCount(): number {
    return this.count;
  }

  /** The set a vpn maps to: its low bits (power-of-two set counts) or vpn mod sets. */
  setOf(vpn: number): number {
    return this.setMask >= 0 ? (vpn >>> 0) & this.setMask : vpn % this.sets;
  }

  /** The slot holding (vpn, pageShift, asid), updating replacement state, or -1. Counts nothing. */
  lookup(vpn: number, pageShift: number, asid: number): number {
    const base = (this.setMask >= 0 ? (vpn >>> 0) & this.setMask : vpn % this.sets) * this.ways;
    const end = base + this.ways;
    const tagVpn = this.tagVpn;
    for (let s = base; s < end; s++) {
      if (tagVpn[s] === vpn && this.tagShift[s] === pageShift && this.tagAsid[s] === asid) {
        if (this.policy === POLICY_LRU) this.stamp[s] = ++this.tick;
        else if (this.policy === POLICY_CLOCK) this.ref[s] = 1;
        return s;
      }
    }
    return -1;
  }

  /**
   * lookup, and on a miss also the slot an insert of the same key would fill
   * (the lowest empty way, else for LRU/FIFO the oldest), found in the same
   * scan. The next insert of that key reuses it instead of scanning the set
   * again, provided no stamp or tag changed meanwhile (tick and clears are
   * unchanged): then a fresh scan would pick the same slot.
   */
  lookupPlan(vpn: number, pageShift: number, asid: number): number {
    const base = (this.setMask >= 0 ? (vpn >>> 0) & this.setMask : vpn % this.sets) * this.ways;
    const end = base + this.ways;
    const tagVpn = this.tagVpn;
    const tagShift = this.tagShift;
    const stamp = this.stamp;
    let firstEmpty = -1;
    let oldest = base;
    // The oldest stamp kept in a local: one stamp read per way instead of two (a 12-way L2 scan on every walk).
    let oldestStamp = stamp[base];
    for (let s = base; s < end; s++) {
      const sh = tagShift[s];
      if (sh < 0) {
        if (firstEmpty < 0) firstEmpty = s;
      } else if (tagVpn[s] === vpn && sh === pageShift && this.tagAsid[s] === asid) {
        if (this.policy === POLICY_LRU) stamp[s] = ++this.tick;
        else if (this.policy === POLICY_CLOCK) this.ref[s] = 1;
        return s;
      }
      const st = stamp[s];
      if (st < oldestStamp) {
        oldest = s;
        oldestStamp = st;
      }
    }
    this.planSlot = firstEmpty >= 0 ? firstEmpty : this.policy <= POLICY_FIFO ? oldest : -1;
    this.planVpn = vpn;
    this.planShift = pageShift;
    this.planAsid = asid;
    this.planTick = this.tick;
    this.planClears = this.clears;
    return -1;
  }

  /**
   * After a lookup of (vpn, pageShift, asid) missed: leaves the plan lookupPlan
   * would have left, with a scan of replacement state only (no tags compared).
   * For callers whose hit path should stay the plain lookup. Only right after
   * that miss, with nothing inserted since: the plan assumes the key is absent.
   */
  planAfterMiss(vpn: number, pageShift: number, asid: number): void {
    const base = (this.setMask >= 0 ? (vpn >>> 0) & this.setMask : vpn % this.sets) * this.ways;
    const end = base + this.ways;
    const stamp = this.stamp;
    let firstEmpty = -1;
    let oldest = base;
    for (let s = base; s < end; s++) {
      if (this.tagShift[s] < 0) {
        firstEmpty = s;
        break;
      }
      if (stamp[s] < stamp[oldest]) oldest = s;
    }
    this.planSlot = firstEmpty >= 0 ? firstEmpty : this.policy <= POLICY_FIFO ? oldest : -1;
    this.planVpn = vpn;
    this.planShift = pageShift;
    this.planAsid = asid;
    this.planTick = this.tick;
    this.planClears = this.clears;
  }

  /** Like lookup, but leaves replacement state untouched (tests, debugging views). */
  probe(vpn: number, pageShift: number, asid: number): number {
    const base = this.setOf(vpn) * this.ways;
    const end = base + this.ways;
    for (let s = base; s < end; s++) {
      if (this.tagVpn[s] === vpn && this.tagShift[s] === pageShift && this.tagAsid[s] === asid) return s;
    }
    return -1;
  }

  /** Inserts a translation, evicting per policy; returns its slot. */
  insert(vpn: number, pageShift: number, asid: number, paddr: number, flags: number, pteAddr: number): number {
    // Kept small so that V8 inlines it into the walk: the planned case writes the slot here, the rest scans in insertScan.
    const slot = this.planSlot;
    if (slot >= 0 && this.planTick === this.tick && this.planClears === this.clears && this.planVpn === vpn && this.planShift === pageShift && this.planAsid === asid) {
      this.planSlot = -1;
      if (this.filledAt[slot] < 0) {
        this.filledAt[slot] = this.count;
        this.filled[this.count++] = slot;
      }
      this.tagVpn[slot] = vpn;
      this.tagShift[slot] = pageShift;
      this.tagAsid[slot] = asid;
      this.stamp[slot] = ++this.tick;
      this.ref[slot] = 1;
      this.paddr[slot] = paddr;
      this.flags[slot] = flags;
      this.pteAddr[slot] = pteAddr;
      return slot;
    }
    const arg = this.arg;
    arg[0] = vpn;
    arg[1] = paddr;
    arg[2] = pteAddr;
    return this.insertScan(pageShift, asid, flags);
  }

  /** insert with vpn, paddr and pteAddr in `arg`: scans the set for the key, an empty way or the victim. */
  private insertScan(pageShift: number, asid: number, flags: number): number {
    const vpn = this.arg[0];
    const ways = this.ways;
    const set = this.setMask >= 0 ? (vpn >>> 0) & this.setMask : vpn % this.sets;
    const base = set * ways;
    const end = base + ways;
    const stamp = this.stamp;
    let slot = -1;
    let firstEmpty = -1;
    let oldest = base;
    for (let s = base; s < end; s++) {
      if (this.tagShift[s] < 0) {
        if (firstEmpty < 0) firstEmpty = s;
      } else if (this.tagVpn[s] === vpn && this.tagShift[s] === pageShift && this.tagAsid[s] === asid) {
        slot = s;
        break;
      }
      if (stamp[s] < stamp[oldest]) oldest = s;
    }
    if (slot >= 0) {
      // Already present: rewrite in place, never a duplicate.
      if (this.policy === POLICY_LRU) stamp[slot] = ++this.tick;
    } else {
      if (firstEmpty >= 0) {
        slot = firstEmpty;
      } else if (this.policy === POLICY_LRU || this.policy === POLICY_FIFO) {
        slot = oldest;
      } else if (this.policy === POLICY_RANDOM) {
        slot = base + Math.min(ways - 1, Math.floor(this.random() * ways));
      } else {
        let h = this.hand[set];
        while (this.ref[base + h] !== 0) {
          this.ref[base + h] = 0;
          h = h + 1 === ways ? 0 : h + 1;
        }
        slot = base + h;
        this.hand[set] = h + 1 === ways ? 0 : h + 1;
      }
      if (this.filledAt[slot] < 0) {
        this.filledAt[slot] = this.count;
        this.filled[this.count++] = slot;
      }
      this.tagVpn[slot] = vpn;
      this.tagShift[slot] = pageShift;
      this.tagAsid[slot] = asid;
      stamp[slot] = ++this.tick;
    }
    this.ref[slot] = 1;
    this.paddr[slot] = this.arg[1];
    this.flags[slot] = flags;
    this.pteAddr[slot] = this.arg[2];
    return slot;
  }

  /** Drops every entry covering `vaddr` for `asid`, of any page size it holds. */
  invalidatePage(vaddr: number, asid: number): void {
    for (let i = 0; i < this.shifts.length; i++) {
      const shift = this.shifts[i];
      const vpn = Math.floor(vaddr / this.pageSizes[i]);
      const base = this.setOf(vpn) * this.ways;
      const end = base + this.ways;
      for (let s = base; s < end; s++) {
        if (this.tagVpn[s] === vpn && this.tagShift[s] === shift && this.tagAsid[s] === asid) this.drop(s);
      }
    }
  }

  /** Drops everything (touching only filled slots). */
  flushAll(): void {
    for (let i = 0; i < this.count; i++) this.clearSlot(this.filled[i]);
    this.count = 0;
  }

  /** Drops the entries of one address space (touching only filled slots). */
  flushAsid(asid: number): void {
    // Backwards: drop() moves the last listed slot into the hole, which was already visited.
    for (let i = this.count - 1; i >= 0; i--) {
      const s = this.filled[i];
      if (this.tagAsid[s] === asid) this.drop(s);
    }
  }

  /** Zeroes the hit and miss counters (entries stay). */
  reset(): void {
    this.hits = 0;
    this.misses = 0;
  }

  private drop(slot: number): void {
    const at = this.filledAt[slot];
    const last = this.filled[--this.count];
    this.filled[at] = last;
    this.filledAt[last] = at;
    this.clearSlot(slot);
  }

  private clearSlot(slot: number): void {
    this.clears++;
    this.filledAt[slot] = -1;
    this.tagShift[slot] = -1;
    this.stamp[slot] = -1;
    this.ref[slot] = 0;
  }
}
