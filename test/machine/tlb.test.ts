import fc from "fast-check";
import type { NormalizedTlb, ReplacementPolicy } from "../../core/machine/config";
import { Tlb } from "../../core/machine/tlb";
import { createRng } from "../../core/random";

function tlbConfig(sets: number, ways: number, policy: ReplacementPolicy, pageShifts: number[] = [12]): NormalizedTlb {
  return { name: "T", level: 1, pageShifts, entries: sets * ways, ways, sets, policy };
}

const noRandom = (): number => {
  throw new Error("random must not be called");
};

/** Looks `vpn` up (asid 0, 4 KiB) and inserts it on a miss; returns true on a hit. */
function touch(tlb: Tlb, vpn: number, asid = 0): boolean {
  if (tlb.lookup(vpn, 12, asid) >= 0) return true;
  tlb.insert(vpn, 12, asid, vpn * 4096, 1, vpn * 8);
  return false;
}

function present(tlb: Tlb, vpns: number[], asid = 0): number[] {
  return vpns.filter((v) => tlb.probe(v, 12, asid) >= 0);
}

describe("Tlb replacement policies", () => {
  test("lru evicts the least recently used entry", () => {
    const tlb = new Tlb(tlbConfig(1, 2, "lru"), noRandom);
    touch(tlb, 1);
    touch(tlb, 2);
    expect(touch(tlb, 1)).toBe(true);
    expect(touch(tlb, 3)).toBe(false);
    expect(present(tlb, [1, 2, 3])).toEqual([1, 3]);
  });

  test("fifo evicts the oldest inserted entry even if it was just used", () => {
    const tlb = new Tlb(tlbConfig(1, 2, "fifo"), noRandom);
    touch(tlb, 1);
    touch(tlb, 2);
    expect(touch(tlb, 1)).toBe(true);
    touch(tlb, 3);
    expect(present(tlb, [1, 2, 3])).toEqual([2, 3]);
    touch(tlb, 4);
    expect(present(tlb, [1, 2, 3, 4])).toEqual([3, 4]);
  });

  test("clock gives referenced entries a second chance", () => {
    const tlb = new Tlb(tlbConfig(1, 3, "clock"), noRandom);
    [1, 2, 3].forEach((v) => touch(tlb, v));
    // All referenced: the hand clears 1, 2, 3, comes back to 1 and evicts it.
    touch(tlb, 4);
    expect(present(tlb, [1, 2, 3, 4])).toEqual([2, 3, 4]);
    // 2 is referenced again; the hand (at 2) clears it and evicts 3.
    expect(touch(tlb, 2)).toBe(true);
    touch(tlb, 5);
    expect(present(tlb, [2, 3, 4, 5])).toEqual([2, 4, 5]);
  });

  test("random picks way floor(random() * ways), and only when the set is full", () => {
    const draws = [0.9, 0.1];
    let calls = 0;
    const tlb = new Tlb(tlbConfig(1, 4, "random"), () => draws[calls++]);
    const slots = [10, 11, 12, 13].map((v) => tlb.insert(v, 12, 0, v, 0, 0));
    expect(slots).toEqual([0, 1, 2, 3]);
    expect(calls).toBe(0);
    expect(tlb.insert(14, 12, 0, 14, 0, 0)).toBe(3);
    expect(tlb.insert(15, 12, 0, 15, 0, 0)).toBe(0);
    expect(calls).toBe(2);
    expect(present(tlb, [10, 11, 12, 13, 14, 15])).toEqual([11, 12, 14, 15]);
  });

  test.each(["lru", "fifo", "clock", "random"] as const)("%s: empty ways are filled first, lowest first", (policy) => {
    const tlb = new Tlb(tlbConfig(1, 4, policy), () => 0.99);
    [1, 2, 3, 4].forEach((v) => touch(tlb, v));
    tlb.invalidatePage(2 * 4096, 0);
    tlb.invalidatePage(4 * 4096 + 5, 0);
    expect(tlb.validCount).toBe(2);
    expect(tlb.insert(9, 12, 0, 0, 0, 0)).toBe(1);
    expect(tlb.insert(8, 12, 0, 0, 0, 0)).toBe(3);
    expect(present(tlb, [1, 2, 3, 4, 8, 9])).toEqual([1, 3, 8, 9]);
  });

  test("inserting a present translation rewrites its slot, never a duplicate", () => {
    const tlb = new Tlb(tlbConfig(1, 2, "lru"), noRandom);
    const a = tlb.insert(7, 12, 0, 0x1000, 1, 0x10);
    const b = tlb.insert(7, 12, 0, 0x2000, 3, 0x20);
    expect(b).toBe(a);
    expect(tlb.validCount).toBe(1);
    expect([tlb.paddr[a], tlb.flags[a], tlb.pteAddr[a]]).toEqual([0x2000, 3, 0x20]);
    tlb.invalidatePage(7 * 4096, 0);
    expect(tlb.probe(7, 12, 0)).toBe(-1);
  });

  test("probe does not refresh lru state, lookup does", () => {
    const tlb = new Tlb(tlbConfig(1, 2, "lru"), noRandom);
    touch(tlb, 1);
    touch(tlb, 2);
    expect(tlb.probe(1, 12, 0)).toBeGreaterThanOrEqual(0);
    touch(tlb, 3);
    expect(present(tlb, [1, 2, 3])).toEqual([2, 3]);
  });
});

describe("Tlb geometry and tags", () => {
  test("set index from the low vpn bits (power of two) or vpn mod sets", () => {
    const pow2 = new Tlb(tlbConfig(4, 2, "lru"), noRandom);
    expect(Math.floor(pow2.insert(5, 12, 0, 0, 0, 0) / 2)).toBe(1);
    expect(Math.floor(pow2.insert(2 ** 32 + 6, 12, 0, 0, 0, 0) / 2)).toBe(2);
    expect(Math.floor(pow2.insert(2 ** 40 + 3, 12, 0, 0, 0, 0) / 2)).toBe(3);
    const odd = new Tlb(tlbConfig(3, 2, "lru"), noRandom);
    expect(Math.floor(odd.insert(7, 12, 0, 0, 0, 0) / 2)).toBe(1);
    expect(Math.floor(odd.insert(2 ** 36 + 1, 12, 0, 0, 0, 0) / 2)).toBe((2 ** 36 + 1) % 3);
  });

  test("vpns above 2^32 keep full tags", () => {
    const tlb = new Tlb(tlbConfig(4, 2, "lru"), noRandom);
    const hi = 2 ** 40 + 7;
    const a = tlb.insert(7, 12, 0, 0xa000, 0, 0);
    const b = tlb.insert(hi, 12, 0, 0xb000, 0, 0);
    expect(a).not.toBe(b);
    expect(tlb.paddr[tlb.lookup(7, 12, 0)]).toBe(0xa000);
    expect(tlb.paddr[tlb.lookup(hi, 12, 0)]).toBe(0xb000);
    expect(tlb.lookup(2 ** 32 + 7, 12, 0)).toBe(-1);
  });

  test("a multi page-size TLB tells sizes apart and invalidatePage drops every size covering the address", () => {
    const tlb = new Tlb(tlbConfig(2, 4, "lru", [12, 21]), noRandom);
    const small = tlb.insert(0x201, 12, 0, 0x5000, 1, 0);
    const huge = tlb.insert(0x1, 21, 0, 0x400000, 1 | 128, 0);
    tlb.insert(0x202, 12, 0, 0x6000, 1, 0);
    expect(tlb.lookup(0x201, 21, 0)).toBe(-1);
    expect(tlb.lookup(0x1, 12, 0)).toBe(-1);
    expect(tlb.paddr[tlb.lookup(0x201, 12, 0)]).toBe(0x5000);
    expect(tlb.paddr[tlb.lookup(0x1, 21, 0)]).toBe(0x400000);
    expect([small, huge].every((s) => s >= 0)).toBe(true);
    tlb.invalidatePage(0x201abc, 0);
    expect(tlb.probe(0x201, 12, 0)).toBe(-1);
    expect(tlb.probe(0x1, 21, 0)).toBe(-1);
    expect(tlb.probe(0x202, 12, 0)).toBeGreaterThanOrEqual(0);
    expect(tlb.validCount).toBe(1);
  });

  test("invalidatePage handles addresses above 2^32", () => {
    const tlb = new Tlb(tlbConfig(4, 2, "lru", [12, 21]), noRandom);
    const vaddr = 0x7fff_1234_5000;
    tlb.insert(vaddr / 4096, 12, 3, 1, 0, 0);
    tlb.insert(Math.floor(vaddr / 2 ** 21), 21, 3, 2, 0, 0);
    tlb.invalidatePage(vaddr + 0xfff, 3);
    expect(tlb.validCount).toBe(0);
  });

  test("counters are the MMU's: lookup and insert count nothing; reset zeroes them", () => {
    const tlb = new Tlb(tlbConfig(1, 2, "lru"), noRandom);
    touch(tlb, 1);
    touch(tlb, 1);
    expect([tlb.hits, tlb.misses]).toEqual([0, 0]);
    tlb.hits = 5;
    tlb.misses = 3;
    tlb.reset();
    expect([tlb.hits, tlb.misses]).toEqual([0, 0]);
    expect(tlb.validCount).toBe(1);
  });
});

describe("Tlb ASIDs and flushes", () => {
  test("the same vpn under another asid misses", () => {
    const tlb = new Tlb(tlbConfig(2, 2, "lru"), noRandom);
    tlb.insert(5, 12, 1, 0x1000, 0, 0);
    expect(tlb.lookup(5, 12, 2)).toBe(-1);
    tlb.insert(5, 12, 2, 0x2000, 0, 0);
    expect(tlb.paddr[tlb.lookup(5, 12, 1)]).toBe(0x1000);
    expect(tlb.paddr[tlb.lookup(5, 12, 2)]).toBe(0x2000);
    tlb.invalidatePage(5 * 4096, 1);
    expect(tlb.lookup(5, 12, 1)).toBe(-1);
    expect(tlb.lookup(5, 12, 2)).toBeGreaterThanOrEqual(0);
  });

  test("flushAsid drops exactly one address space", () => {
    const tlb = new Tlb(tlbConfig(4, 4, "fifo"), noRandom);
    for (let v = 0; v < 6; v++) for (let asid = 0; asid < 3; asid++) tlb.insert(v, 12, asid, v, 0, 0);
    expect(tlb.validCount).toBe(14);
    const before = [0, 1, 2].map((a) => present(tlb, [0, 1, 2, 3, 4, 5], a).length);
    tlb.flushAsid(1);
    expect(present(tlb, [0, 1, 2, 3, 4, 5], 1)).toEqual([]);
    expect(present(tlb, [0, 1, 2, 3, 4, 5], 0).length).toBe(before[0]);
    expect(present(tlb, [0, 1, 2, 3, 4, 5], 2).length).toBe(before[2]);
    expect(tlb.validCount).toBe(before[0] + before[2]);
  });

  test("flushAll leaves no stale hit and the TLB refills from way 0", () => {
    const tlb = new Tlb(tlbConfig(2, 3, "clock"), noRandom);
    for (let v = 0; v < 10; v++) touch(tlb, v, v % 2);
    tlb.flushAll();
    expect(tlb.validCount).toBe(0);
    for (let v = 0; v < 10; v++) for (let a = 0; a < 2; a++) expect(tlb.lookup(v, 12, a)).toBe(-1);
    expect(tlb.insert(4, 12, 0, 0, 0, 0)).toBe(0);
    expect(tlb.insert(5, 12, 0, 0, 0, 0)).toBe(3);
    tlb.flushAll();
    tlb.flushAll();
    expect(tlb.validCount).toBe(0);
  });

  test("rejects an impossible geometry at construction", () => {
    expect(() => new Tlb(tlbConfig(0, 4, "lru"), noRandom)).toThrow(RangeError);
    expect(() => new Tlb({ ...tlbConfig(1, 4, "lru"), policy: "mru" as ReplacementPolicy }, noRandom)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------
// Reference model: plain arrays per set, string keys, no typed arrays.

interface Entry {
  key: string;
  ref: boolean;
}

class ModelTlb {
  private readonly order: string[][] = [];
  private readonly ways: (Entry | null)[][] = [];
  private readonly hands: number[] = [];
  readonly data = new Map<string, number>();

  constructor(
    readonly sets: number,
    readonly nWays: number,
    readonly policy: ReplacementPolicy,
    readonly pageShifts: number[],
    readonly random: () => number,
  ) {
    for (let s = 0; s < sets; s++) {
      this.order.push([]);
      this.ways.push(new Array<Entry | null>(nWays).fill(null));
      this.hands.push(0);
    }
  }

  private static key(vpn: number, shift: number, asid: number): string {
    return `${vpn}/${shift}/${asid}`;
  }

  private listBased(): boolean {
    return this.policy === "lru" || this.policy === "fifo";
  }

  has(vpn: number, shift: number, asid: number): boolean {
    const k = ModelTlb.key(vpn, shift, asid);
    const s = vpn % this.sets;
    return this.listBased() ? this.order[s].includes(k) : this.ways[s].some((e) => e?.key === k);
  }

  /** Returns whether it hit; updates replacement state like the hardware would. */
  lookup(vpn: number, shift: number, asid: number): boolean {
    const k = ModelTlb.key(vpn, shift, asid);
    const s = vpn % this.sets;
    if (this.listBased()) {
      const i = this.order[s].indexOf(k);
      if (i < 0) return false;
      if (this.policy === "lru") this.order[s].push(...this.order[s].splice(i, 1));
      return true;
    }
    const e = this.ways[s].find((x) => x?.key === k);
    if (!e) return false;
    e.ref = true;
    return true;
  }

  insert(vpn: number, shift: number, asid: number, value: number): void {
    const k = ModelTlb.key(vpn, shift, asid);
    const s = vpn % this.sets;
    this.data.set(k, value);
    if (this.listBased()) {
      const list = this.order[s];
      const i = list.indexOf(k);
      if (i >= 0) {
        if (this.policy === "lru") list.push(...list.splice(i, 1));
        return;
      }
      if (list.length === this.nWays) list.shift();
      list.push(k);
      return;
    }
    const row = this.ways[s];
    const existing = row.find((x) => x?.key === k);
    if (existing) {
      existing.ref = true;
      return;
    }
    let w = row.indexOf(null);
    if (w < 0) {
      if (this.policy === "random") {
        w = Math.floor(this.random() * this.nWays);
      } else {
        while (row[this.hands[s]]!.ref) {
          row[this.hands[s]]!.ref = false;
          this.hands[s] = (this.hands[s] + 1) % this.nWays;
        }
        w = this.hands[s];
        this.hands[s] = (w + 1) % this.nWays;
      }
    }
    row[w] = { key: k, ref: true };
  }

  private removeWhere(pred: (key: string) => boolean): void {
    for (let s = 0; s < this.sets; s++) {
      this.order[s] = this.order[s].filter((k) => !pred(k));
      this.ways[s] = this.ways[s].map((e) => (e && pred(e.key) ? null : e));
    }
  }

  invalidatePage(vaddr: number, asid: number): void {
    const keys = new Set(this.pageShifts.map((sh) => ModelTlb.key(Math.floor(vaddr / 2 ** sh), sh, asid)));
    this.removeWhere((k) => keys.has(k));
  }

  flushAsid(asid: number): void {
    this.removeWhere((k) => k.endsWith(`/${asid}`));
  }

  flushAll(): void {
    this.removeWhere(() => true);
  }

  count(): number {
    return this.listBased()
      ? this.order.reduce((a, l) => a + l.length, 0)
      : this.ways.reduce((a, row) => a + row.filter((e) => e !== null).length, 0);
  }
}

type Cmd =
  | { op: "access"; vpn: number; shift: number; asid: number }
  | { op: "insert"; vpn: number; shift: number; asid: number }
  | { op: "invalidate"; vpn: number; shift: number; offset: number; asid: number }
  | { op: "flushAsid"; asid: number }
  | { op: "flushAll" };

const HIGH = 2 ** 36;

/** Commands over a small universe of pages (`span` vpns, mostly asid 0), so that hits, evictions and re-inserts are common. */
function cmdArb(shifts: number[], span: number): fc.Arbitrary<Cmd> {
  const vpn = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: span - 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((v) => HIGH + v) },
  );
  const shift = fc.constantFrom(...shifts);
  const asid = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) });
  return fc.oneof(
    { weight: 40, arbitrary: fc.record({ op: fc.constant("access" as const), vpn, shift, asid }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant("insert" as const), vpn, shift, asid }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("invalidate" as const), vpn, shift, offset: fc.nat(4095), asid }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("flushAsid" as const), asid }) },
    { weight: 1, arbitrary: fc.constant({ op: "flushAll" as const }) },
  );
}

const scenarioArb = fc
  .record({
    sets: fc.constantFrom(1, 2, 3, 4, 5, 8),
    ways: fc.constantFrom(1, 2, 3, 4, 6),
    policy: fc.constantFrom<ReplacementPolicy>("lru", "fifo", "clock", "random"),
    shifts: fc.constantFrom<number[]>([12], [12, 21]),
    seed: fc.nat(),
    load: fc.double({ min: 0.5, max: 2.5, noNaN: true }),
  })
  .chain((g) =>
    fc.record({
      g: fc.constant(g),
      cmds: fc.array(cmdArb(g.shifts, Math.max(1, Math.round(g.sets * g.ways * g.load))), { minLength: 1, maxLength: 400, size: "max" }),
    }),
  );

/** Applies an invalidate or a flush to the TLB and the model alike. */
function drop(tlb: Tlb, model: ModelTlb, c: Extract<Cmd, { op: "invalidate" | "flushAsid" | "flushAll" }>): void {
  if (c.op === "invalidate") {
    const vaddr = c.vpn * 2 ** c.shift + c.offset;
    tlb.invalidatePage(vaddr, c.asid);
    model.invalidatePage(vaddr, c.asid);
  } else if (c.op === "flushAsid") {
    tlb.flushAsid(c.asid);
    model.flushAsid(c.asid);
  } else {
    tlb.flushAll();
    model.flushAll();
  }
}

describe("Tlb against a reference model", () => {
  test("hit/miss sequence, cached data and occupancy match for random geometries, policies and streams", () => {
    fc.assert(
      fc.property(scenarioArb, ({ g, cmds }) => {
        const tlb = new Tlb(tlbConfig(g.sets, g.ways, g.policy, g.shifts), createRng(g.seed).next);
        const model = new ModelTlb(g.sets, g.ways, g.policy, g.shifts, createRng(g.seed).next);
        const universe = new Set<string>();
        let serial = 1;
        const got: string[] = [];
        const want: string[] = [];
        for (const c of cmds) {
          if (c.op === "access" || c.op === "insert") {
            universe.add(`${c.vpn},${c.shift},${c.asid}`);
            if (c.op === "access") {
              const slot = tlb.lookup(c.vpn, c.shift, c.asid);
              const hit = model.lookup(c.vpn, c.shift, c.asid);
              got.push(slot >= 0 ? "H" : "M");
              want.push(hit ? "H" : "M");
              if (slot >= 0 !== hit) return false;
              if (slot >= 0) {
                const v = model.data.get(`${c.vpn}/${c.shift}/${c.asid}`)!;
                if (tlb.paddr[slot] !== v || tlb.flags[slot] !== (v & 0xff) || tlb.pteAddr[slot] !== v + 0.5) return false;
                continue;
              }
            }
            const v = serial++;
            tlb.insert(c.vpn, c.shift, c.asid, v, v & 0xff, v + 0.5);
            model.insert(c.vpn, c.shift, c.asid, v);
          } else {
            drop(tlb, model, c);
          }
          if (tlb.validCount !== model.count()) return false;
        }
        for (const u of universe) {
          const [vpn, shift, asid] = u.split(",").map(Number);
          if (tlb.probe(vpn, shift, asid) >= 0 !== model.has(vpn, shift, asid)) return false;
        }
        return got.join("") === want.join("");
      }),
      { numRuns: 800 },
    );
  });
});

describe("Tlb front (direct-mapped index over the first page size)", () => {
  /** Permits table for the test: the flags themselves, so a stale permit shows as a wrong value. */
  const PERMITS = Int32Array.from({ length: 1024 }, (_, f) => f * 3 + 1);

  /** Every front entry names a filled slot holding exactly its vpn, the first page size and the front's asid, with current permits. */
  function frontConsistent(tlb: Tlb, frontShift: number, asid: number): boolean {
    for (let i = 0; i <= tlb.frontMask; i++) {
      const slot = tlb.frontSlot[i];
      if (slot < 0) continue;
      const vpn = tlb.frontVpn[i];
      if (((vpn >>> 0) & tlb.frontMask) !== i) return false;
      if (tlb.probe(vpn, frontShift, asid) !== slot) return false;
      if (tlb.frontPerm[i] !== PERMITS[tlb.flags[slot] & 0x3ff]) return false;
    }
    return true;
  }

  test("a front hit finds the slot lookup finds, with the same replacement update, through inserts, flushes and asid switches", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 4 }), ({ g, cmds }, frontBits) => {
        const tlb = new Tlb(tlbConfig(g.sets, g.ways, g.policy, g.shifts), createRng(g.seed).next);
        tlb.enableFront(2 ** frontBits, PERMITS);
        const model = new ModelTlb(g.sets, g.ways, g.policy, g.shifts, createRng(g.seed).next);
        const frontShift = g.shifts[0];
        let frontAsid = 0;
        let serial = 1;
        for (const c of cmds) {
          if (c.op === "access" || c.op === "insert") {
            // Accesses run in c.asid's address space: the front follows it, as the MMU's does on a switch.
            tlb.setFrontAsid(c.asid);
            frontAsid = c.asid;
            if (c.op === "access") {
              let slot = -1;
              const i = (c.vpn >>> 0) & tlb.frontMask;
              if (c.shift === frontShift && tlb.frontVpn[i] === c.vpn) {
                slot = tlb.frontSlot[i];
                tlb.touch(slot);
              } else {
                slot = tlb.lookup(c.vpn, c.shift, c.asid);
              }
              const hit = model.lookup(c.vpn, c.shift, c.asid);
              if (slot >= 0 !== hit) return false;
              if (slot >= 0) {
                if (tlb.paddr[slot] !== model.data.get(`${c.vpn}/${c.shift}/${c.asid}`)) return false;
                if (!frontConsistent(tlb, frontShift, frontAsid)) return false;
                continue;
              }
            }
            const v = serial++;
            tlb.insert(c.vpn, c.shift, c.asid, v, v & 0xff, v + 0.5);
            model.insert(c.vpn, c.shift, c.asid, v);
          } else {
            drop(tlb, model, c);
          }
          if (!frontConsistent(tlb, frontShift, frontAsid)) return false;
        }
        return true;
      }),
      { numRuns: 600 },
    );
  });

  test("setFlags keeps the front's permits in step; a front on a filled TLB indexes what is there", () => {
    const tlb = new Tlb(tlbConfig(4, 2, "lru"), noRandom);
    tlb.insert(5, 12, 0, 0x5000, 0x03, 40);
    tlb.insert(6, 12, 1, 0x6000, 0x03, 48);
    tlb.enableFront(8, PERMITS);
    const i = 5 & 7;
    expect(tlb.frontVpn[i]).toBe(5);
    expect(tlb.frontVpn[6 & 7]).toBe(-1); // asid 1 is not the front's
    const slot = tlb.frontSlot[i];
    tlb.setFlags(slot, 0x43);
    expect(tlb.flags[slot]).toBe(0x43);
    expect(tlb.frontPerm[i]).toBe(PERMITS[0x43]);
    tlb.setFrontAsid(1);
    expect(tlb.frontVpn[i]).toBe(-1);
    expect(tlb.frontVpn[6 & 7]).toBe(6);
    expect(() => tlb.enableFront(6, PERMITS)).toThrow(RangeError);
  });
});
