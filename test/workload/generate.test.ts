import fc from "fast-check";
import type { GeneratorSpec, LifetimeDistribution, Op, SizeDistribution } from "../../graders/challenge/types";
import { generateWorkload } from "../../graders/workload";
import { validateGeneratorValue } from "../../graders/challenge/validate";

/** Replays ops on a model and returns what is live at the end; throws on a broken invariant. */
function checkInvariants(ops: readonly Op[]): { blocks: number; procs: number; counted: Record<string, number> } {
  const blocks = new Map<number, number>();
  const procs = new Map<number, { size: number; pinned: boolean }>();
  const counted: Record<string, number> = {};
  ops.forEach((op, i) => {
    counted[op.op] = (counted[op.op] ?? 0) + 1;
    const fail = (why: string): never => {
      throw new Error(`op ${i} ${JSON.stringify(op)}: ${why}`);
    };
    switch (op.op) {
      case "alloc":
        if (blocks.has(op.id)) fail("id reused while live");
        if (!(op.size >= 1)) fail("size < 1");
        blocks.set(op.id, op.size);
        break;
      case "free":
        if (!blocks.delete(op.id)) fail("free of a dead id");
        break;
      case "realloc":
        if (!blocks.has(op.id)) fail("realloc of a dead id");
        blocks.set(op.id, op.size);
        break;
      case "read":
      case "write": {
        const size = blocks.get(op.id) ?? fail("access to a dead id");
        if (op.offset < 0 || op.length < 1 || op.offset + op.length > size) fail(`range outside the block of ${size}`);
        break;
      }
      case "spawn":
        if (procs.has(op.pid)) fail("pid reused while live");
        procs.set(op.pid, { size: op.size, pinned: false });
        break;
      case "exit": {
        const p = procs.get(op.pid) ?? fail("exit of a dead pid");
        if (p.pinned) fail("exit while pinned");
        procs.delete(op.pid);
        break;
      }
      case "pin":
      case "unpin": {
        const p = procs.get(op.pid) ?? fail("pin of a dead pid");
        p.pinned = op.op === "pin";
        break;
      }
      case "access": {
        const p = procs.get(op.pid) ?? fail("access by a dead pid");
        if (op.addr < 0 || op.addr >= p.size) fail("address outside the process");
        break;
      }
      case "map": {
        const p = procs.get(op.pid) ?? fail("map for a dead pid");
        const ps = op.pageSize ?? 4096;
        if (op.vaddr % ps !== 0 || op.vaddr + ps > p.size) fail("unaligned or outside the process");
        break;
      }
      case "compact":
        break;
      default:
        fail("unexpected op kind");
    }
  });
  return { blocks: blocks.size, procs: procs.size, counted };
}

const sizeArb: fc.Arbitrary<SizeDistribution> = fc.oneof(
  fc.integer({ min: 1, max: 4096 }).map((size) => ({ dist: "fixed" as const, size })),
  fc.tuple(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 0, max: 8192 })).map(([min, d]) => ({ dist: "uniform" as const, min, max: min + d })),
  fc.tuple(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 0, max: 8192 })).map(([min, d]) => ({ dist: "log-uniform" as const, min, max: min + d })),
  fc.record({ small: fc.integer({ min: 1, max: 128 }), large: fc.integer({ min: 1, max: 4096 }), largeFraction: fc.double({ min: 0, max: 1, noNaN: true }) }).map((r) => ({ dist: "bimodal" as const, ...r })),
);
const lifeArb: fc.Arbitrary<LifetimeDistribution> = fc.oneof(
  fc.integer({ min: 1, max: 50 }).map((ops) => ({ dist: "fixed" as const, ops })),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 50 })).map(([min, d]) => ({ dist: "uniform" as const, min, max: min + d })),
  fc.double({ min: 0.5, max: 40, noNaN: true }).map((mean) => ({ dist: "exponential" as const, mean })),
  fc.record({ short: fc.integer({ min: 1, max: 10 }), long: fc.integer({ min: 1, max: 300 }) }).map((r) => ({ dist: "bimodal" as const, ...r })),
  fc.constant({ dist: "forever" as const }),
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const ops = fc.integer({ min: 1, max: 300 });
const traffic = { accessRate: opt(fc.double({ min: 0, max: 1, noNaN: true })), writeFraction: opt(fc.double({ min: 0, max: 1, noNaN: true })), accessBytes: opt(fc.integer({ min: 1, max: 128 })) };
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const leafArb: fc.Arbitrary<GeneratorSpec> = fc.oneof(
  fc.record({ kind: fc.constantFrom("random" as const, "lifetimes" as const), ops, sizes: opt(sizeArb), lifetime: opt(lifeArb), maxLive: opt(fc.integer({ min: 1, max: 40 })), freeAll: opt(fc.boolean()), ...traffic }),
  fc.record({ kind: fc.constant("binary" as const), ops, sizes: opt(sizeArb), batch: opt(fc.integer({ min: 1, max: 20 })), freeAll: opt(fc.boolean()), ...traffic }),
  fc.record({ kind: fc.constant("coalescing" as const), ops, sizes: opt(sizeArb), batch: opt(fc.integer({ min: 2, max: 20 })), freeAll: opt(fc.boolean()), ...traffic }),
  fc.record({ kind: fc.constant("realloc" as const), ops, sizes: opt(sizeArb), buffers: opt(fc.integer({ min: 1, max: 4 })), blockerRate: opt(fc.double({ min: 0, max: 1, noNaN: true })), lifetime: opt(lifeArb), freeAll: opt(fc.boolean()), ...traffic }),
  fc.record({ kind: fc.constant("processes" as const), ops, sizes: opt(sizeArb), lifetime: opt(lifeArb), maxLive: opt(fc.integer({ min: 1, max: 20 })), accessRate: opt(fc.double({ min: 0, max: 1, noNaN: true })), pinRate: opt(fc.double({ min: 0, max: 1, noNaN: true })), compactEvery: opt(fc.integer({ min: 1, max: 20 })), freeAll: opt(fc.boolean()) }),
  fc.record({ kind: fc.constant("frames" as const), ops, sizes: opt(fc.constantFrom<SizeDistribution>({ dist: "fixed", size: 8 << 20 }, { dist: "uniform", min: 4096, max: 16 << 20 })), lifetime: opt(lifeArb), maxLive: opt(fc.integer({ min: 1, max: 6 })), hugeRate: opt(fc.double({ min: 0, max: 1, noNaN: true })), freeAll: opt(fc.boolean()) }),
).map((s) => clean(s as GeneratorSpec));
const specArb: fc.Arbitrary<GeneratorSpec> = fc.oneof(
  { weight: 3, arbitrary: leafArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("phases" as const), phases: fc.array(leafArb, { minLength: 1, maxLength: 3 }), freeAll: opt(fc.boolean()) }).map((s) => clean(s) as GeneratorSpec) },
);
const seedArb = fc.oneof(fc.nat(), fc.string({ maxLength: 8 }));

/** Ops a family counts against `ops`. */
const COUNTED: Record<string, string[]> = {
  random: ["alloc", "free", "realloc"], lifetimes: ["alloc", "free", "realloc"], binary: ["alloc", "free", "realloc"],
  coalescing: ["alloc", "free", "realloc"], realloc: ["alloc", "free", "realloc"], processes: ["spawn", "exit"], frames: ["spawn", "exit", "map"],
};

describe("generateWorkload", () => {
  it("generates specs that the schema accepts (the arbitraries are honest)", () => {
    fc.assert(fc.property(specArb, (spec) => {
      expect(validateGeneratorValue(spec, { file: "x", locate: () => undefined })).toEqual([]);
    }), { seed: 1, numRuns: 100 });
  });

  it("is deterministic per seed, and keeps every invariant", () => {
    fc.assert(fc.property(specArb, seedArb, (spec, seed) => {
      const a = generateWorkload(spec, seed);
      expect(generateWorkload(spec, seed)).toEqual(a);
      const end = checkInvariants(a);
      if (spec.freeAll ?? true) expect(end).toMatchObject({ blocks: 0, procs: 0 });
    }), { seed: 7, numRuns: 150 });
  });

  it("emits exactly `ops` counted ops before the freeAll tail", () => {
    fc.assert(fc.property(leafArb, fc.nat(), (spec, seed) => {
      const out = generateWorkload({ ...spec, freeAll: false } as GeneratorSpec, seed);
      const { counted } = checkInvariants(out);
      const n = COUNTED[spec.kind].reduce((s, k) => s + (counted[k] ?? 0), 0);
      expect(n).toBe((spec as { ops: number }).ops);
    }), { seed: 11, numRuns: 150 });
  });

  it("has an invariant checker that rejects broken streams", () => {
    expect(() => checkInvariants([{ op: "alloc", id: 1, size: 8 }, { op: "alloc", id: 1, size: 8 }])).toThrow(/reused/);
    expect(() => checkInvariants([{ op: "free", id: 1 }])).toThrow(/dead id/);
    expect(() => checkInvariants([{ op: "alloc", id: 1, size: 8 }, { op: "read", id: 1, offset: 4, length: 8 }])).toThrow(/outside/);
    expect(() => checkInvariants([{ op: "spawn", pid: 1, size: 4096 }, { op: "map", pid: 1, vaddr: 4096, flags: "rwu" }])).toThrow(/outside/);
  });

  it("gives different ops for different seeds", () => {
    for (const kind of ["random", "lifetimes", "coalescing", "realloc", "processes", "frames"] as const) {
      const spec = { kind, ops: 200 } as GeneratorSpec;
      expect(generateWorkload(spec, 1)).not.toEqual(generateWorkload(spec, 2));
    }
  });

  it("binary: alternating small/large, large freed, then small+large blocks", () => {
    const out = generateWorkload({ kind: "binary", ops: 16, batch: 4, sizes: { dist: "bimodal", small: 64, large: 448 }, freeAll: false }, 0);
    expect(out.slice(0, 8).map((o) => (o.op === "alloc" ? o.size : -1))).toEqual([64, 448, 64, 448, 64, 448, 64, 448]);
    expect(out.slice(8, 12).every((o) => o.op === "free")).toBe(true);
    expect(out.slice(12, 16)).toEqual(expect.arrayContaining([expect.objectContaining({ op: "alloc", size: 512 })]));
  });

  it("coalescing: frees alternate blocks, then the rest, then allocates merged sizes", () => {
    const out = generateWorkload({ kind: "coalescing", ops: 13, batch: 4, sizes: { dist: "fixed", size: 100 }, freeAll: false }, 0);
    expect(out.map((o) => o.op + ("id" in o ? o.id : "") + (o.op === "alloc" ? `:${o.size}` : ""))).toEqual([
      "alloc0:100", "alloc1:100", "alloc2:100", "alloc3:100", "free0", "free2", "free1", "free3", "alloc0:200", "alloc1:200", "free0", "free1", "alloc0:100",
    ]);
  });

  it("realloc: buffers grow monotonically", () => {
    const out = generateWorkload({ kind: "realloc", ops: 300, buffers: 1, blockerRate: 0.5 }, 5);
    const sizes = out.filter((o): o is Extract<Op, { op: "realloc" }> => o.op === "realloc").map((o) => o.size);
    expect(sizes.length).toBeGreaterThan(50);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
  });

  it("sprinkles reads and writes at about the given rate", () => {
    const out = generateWorkload({ kind: "random", ops: 2000, accessRate: 0.5, writeFraction: 1 }, 3);
    const rw = out.filter((o) => o.op === "read" || o.op === "write");
    expect(rw.length).toBeGreaterThan(700);
    expect(rw.length).toBeLessThan(1300);
    expect(rw.every((o) => o.op === "write")).toBe(true);
  });

  it("frames: asks for huge pages at about hugeRate, aligned", () => {
    const out = generateWorkload({ kind: "frames", ops: 2000, hugeRate: 0.3, sizes: { dist: "fixed", size: 1 << 30 } }, 9);
    const maps = out.filter((o): o is Extract<Op, { op: "map" }> => o.op === "map");
    const huge = maps.filter((m) => m.pageSize === 2 << 20);
    expect(huge.length / maps.length).toBeGreaterThan(0.2);
    expect(huge.length / maps.length).toBeLessThan(0.4);
    expect(huge.every((m) => m.vaddr % (2 << 20) === 0)).toBe(true);
  });

  it("phases: blocks left live by one phase carry into the next", () => {
    const out = generateWorkload({ kind: "phases", phases: [{ kind: "random", ops: 50, lifetime: { dist: "forever" }, freeAll: false }, { kind: "random", ops: 10 }], freeAll: false }, 4);
    const end = checkInvariants(out);
    expect(end.blocks).toBe(0); // the second phase's freeAll frees the first phase's blocks too
    expect(out.slice(0, 50).every((o) => o.op === "alloc")).toBe(true);
  });
});
