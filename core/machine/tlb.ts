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
 * The front (optional, enableFront): a direct-mapped index over the slots
 * holding the TLB's first page size in the current address space
 * (setFrontAsid), keyed by the vpn's low bits, as v86 keys its TLB by page
 * number. Entry i names a slot (frontSlot) whose tag is exactly
 * (frontVpn[i], first page size, current asid), with frontPerm[i] =
 * permits[flags of that slot] for the table given to enableFront; a slot
 * write, flag change or clear updates or drops the entry naming that slot.
 * A caller that finds its vpn there has found the slot lookup would find,
 * and calls touch(slot) for the same replacement update — a hit without
 * scanning the set.
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
  /** The front (see above): vpn (-1 = empty), slot and permits per entry. Empty arrays until enableFront. */
  frontVpn = new Float64Array(0);
  frontSlot = new Int32Array(0);
  frontPerm = new Int32Array(0);
  /** Entries - 1 of the front, or -1 when it is off. */
  frontMask = -1;
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
  /** The page size the front indexes (the first one the TLB holds). */
  private readonly frontShift: number;
  /** The address space the front serves (setFrontAsid). */
  private frontAsid = 0;
  /** The permits table of enableFront, indexed by flags & 0x3ff. */
  private permits: Int32Array = new Int32Array(0);

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
    this.frontShift = config.pageShifts[0];
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

  /**
   * The slot holding (vpn, pageShift, asid), updating replacement state, or
   * -1. Counts nothing. It is lookupPlan: a miss also leaves the slot an
   * insert of the same key will fill.
   */
  lookup(vpn: number, pageShift: number, asid: number): number {
    return this.lookupPlan(vpn, pageShift, asid);
  }

  /**
   * Turns the front on (see above) with `entries` (a power of two) entries,
   * for the first page size; `permits[flags & 0x3ff]` is cached per entry.
   * Entries fill as lookups hit and inserts land.
   */
  enableFront(entries: number, permits: Int32Array): void {
    if (!(entries >= 1 && (entries & (entries - 1)) === 0)) throw new RangeError(`TLB ${this.config.name}: front entries (${entries}) must be a power of two`);
    this.frontVpn = new Float64Array(entries);
    this.frontSlot = new Int32Array(entries);
    this.frontPerm = new Int32Array(entries);
    this.frontMask = entries - 1;
    this.permits = permits;
    this.refront();
  }

  /** The address space the front serves; a change empties it and refills it from that space's entries. */
  setFrontAsid(asid: number): void {
    if (asid === this.frontAsid || this.frontMask < 0) return;
    this.frontAsid = asid;
    this.refront();
  }

  /** Rewrites the flags of `slot` (keeping the front's permits in step). */
  setFlags(slot: number, flags: number): void {
    this.flags[slot] = flags;
    if (this.frontMask >= 0 && this.tagShift[slot] === this.frontShift && this.tagAsid[slot] === this.frontAsid) {
      const i = (this.tagVpn[slot] >>> 0) & this.frontMask;
      if (this.frontSlot[i] === slot) this.frontPerm[i] = this.permits[flags & 0x3ff];
    }
  }

  /** The replacement update of a hit on `slot` (what lookup does when it finds it). */
  touch(slot: number): void {
    if (this.policy === POLICY_LRU) this.stamp[slot] = ++this.tick;
    else if (this.policy === POLICY_CLOCK) this.ref[slot] = 1;
  }

  private refront(): void {
    this.frontVpn.fill(-1);
    this.frontSlot.fill(-1);
    for (let i = 0; i < this.count; i++) {
      const s = this.filled[i];
      if (this.tagShift[s] === this.frontShift && this.tagAsid[s] === this.frontAsid) this.setFront(this.tagVpn[s], s);
    }
  }

  /** Points the front at `slot` (which holds vpn, the first page size and the front's asid); its flags must be set. */
  private setFront(vpn: number, slot: number): void {
    const i = (vpn >>> 0) & this.frontMask;
    this.frontVpn[i] = vpn;
    this.frontSlot[i] = slot;
    this.frontPerm[i] = this.permits[this.flags[slot] & 0x3ff];
  }

  /** Before slot `slot` is rewritten or cleared: drops the front entry naming it. */
  private unfront(slot: number): void {
    if (this.tagShift[slot] !== this.frontShift || this.tagAsid[slot] !== this.frontAsid) return;
    const i = (this.tagVpn[slot] >>> 0) & this.frontMask;
    if (this.frontSlot[i] === slot) {
      this.frontSlot[i] = -1;
      this.frontVpn[i] = -1;
    }
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
        if (this.frontMask >= 0 && pageShift === this.frontShift && asid === this.frontAsid) this.setFront(vpn, s);
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
      } else if (this.frontMask >= 0) {
        this.unfront(slot);
      }
      this.tagVpn[slot] = vpn;
      this.tagShift[slot] = pageShift;
      this.tagAsid[slot] = asid;
      this.stamp[slot] = ++this.tick;
      this.ref[slot] = 1;
      this.paddr[slot] = paddr;
      this.flags[slot] = flags;
      this.pteAddr[slot] = pteAddr;
      if (this.frontMask >= 0 && pageShift === this.frontShift && asid === this.frontAsid) this.setFront(vpn, slot);
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
      } else if (this.frontMask >= 0) {
        this.unfront(slot);
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
    if (this.frontMask >= 0 && pageShift === this.frontShift && asid === this.frontAsid) this.setFront(vpn, slot);
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
    if (this.frontMask >= 0) this.unfront(slot);
    this.clears++;
    this.filledAt[slot] = -1;
    this.tagShift[slot] = -1;
    this.stamp[slot] = -1;
    this.ref[slot] = 0;
  }
}
