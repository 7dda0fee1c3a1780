/**
 * Property: for random geometries, TLB hierarchies, mappings and access
 * streams over two processes, every access the MMU answers equals what a
 * plain Map model of the page tables says — so flushes, context switches
 * (with and without ASIDs) and unmaps never let a stale translation through.
 */
import fc from "fast-check";
import { createMachine } from "../../core/container";
import type { MachineConfig, TlbConfig } from "../../core/machine/config";

interface Mapping {
  vaddr: number;
  size: number;
  paddr: number;
  writable: boolean;
  user: boolean;
}

const tlbArb: fc.Arbitrary<TlbConfig & { huge: boolean; base: boolean }> = fc.record({
  level: fc.integer({ min: 1, max: 2 }),
  sets: fc.constantFrom(1, 2, 3, 4),
  ways: fc.integer({ min: 1, max: 3 }),
  policy: fc.constantFrom("lru" as const, "fifo" as const, "random" as const, "clock" as const),
  base: fc.boolean(),
  huge: fc.boolean(),
}).map((t) => ({ ...t, entries: t.sets * t.ways }));

const geometryArb = fc.record({
  pageShift: fc.constantFrom(10, 12),
  levelBits: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  pteBytes: fc.constantFrom(4 as const, 8 as const),
  huge: fc.boolean(),
  asid: fc.boolean(),
  tlbs: fc.array(tlbArb, { maxLength: 3 }),
});

const opArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("map" as const), p: fc.nat(1), slot: fc.nat(7), huge: fc.boolean(), writable: fc.boolean(), user: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("unmap" as const), p: fc.nat(1), slot: fc.nat(7), huge: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("protect" as const), p: fc.nat(1), slot: fc.nat(7), huge: fc.boolean(), writable: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("access" as const), p: fc.nat(1), at: fc.nat(), write: fc.boolean(), user: fc.boolean(), near: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("flush" as const), p: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("respawn" as const), p: fc.nat(1) }) },
);

describe("MMU against a Map model of the page tables", () => {
  it("translations, faults and permissions match for any geometry, TLB set-up and stream", () => {
    fc.assert(
      fc.property(geometryArb, fc.array(opArb, { minLength: 20, maxLength: 150, size: "large" }), fc.nat(), (g, ops, seed) => {
        const levelBits = [...g.levelBits];
        while (g.pageShift + levelBits.reduce((a, b) => a + b, 0) < 12) levelBits[0]++;
        const virtualBits = g.pageShift + levelBits.reduce((a, b) => a + b, 0);
        const pageSize = 2 ** g.pageShift;
        const hugeSize = g.huge && levelBits.length >= 2 ? pageSize * 2 ** levelBits[levelBits.length - 1] : 0;
        const tlb = g.tlbs.map((t, i) => ({
          name: `T${i}`,
          level: t.level,
          entries: t.entries,
          ways: t.ways,
          policy: t.policy,
          pageSizes: [...(t.base || !hugeSize ? [pageSize] : []), ...(t.huge && hugeSize ? [hugeSize] : [])],
        }));
        const config: MachineConfig = {
          physicalMemory: "4MiB",
          paging: { virtualBits, pageSize, levelBits, pteBytes: g.pteBytes, hugePages: hugeSize ? [hugeSize] : [] },
          tlb,
          asid: g.asid,
        };
        const m = createMachine(config, { seed });
        const k = m.kernel;
        const pids = [k.createProcess({ pid: 1 }), k.createProcess({ pid: 2 })];
        const models: Mapping[][] = [[], []];
        // Every page ever mapped, so that accesses also aim at unmapped and remapped pages.
        const history: Mapping[][] = [[], []];
        const space = 2 ** virtualBits;
        const slotAddr = (slot: number, size: number): number => (slot % Math.min(64, space / size)) * size;

        for (const o of ops) {
          const pid = pids[o.p];
          const model = models[o.p];
          if (o.op === "map" || o.op === "unmap" || o.op === "protect") {
            const size = o.huge && hugeSize ? hugeSize : pageSize;
            const vaddr = slotAddr(o.slot, size);
            const hit = model.filter((x) => x.vaddr < vaddr + size && x.vaddr + x.size > vaddr);
            const partial = hit.some((x) => x.size > size);
            if (o.op === "map") {
              const out = k.map(pid, vaddr, { writable: o.writable, user: o.user }, { pageSize: size });
              expect(out.ok).toBe(!partial);
              if (out.ok) {
                models[o.p] = model.filter((x) => !hit.includes(x));
                models[o.p].push({ vaddr, size, paddr: out.paddr, writable: o.writable, user: o.user });
                history[o.p].push({ vaddr, size, paddr: out.paddr, writable: o.writable, user: o.user });
              }
            } else if (o.op === "unmap") {
              expect(k.heap(pid).munmap(vaddr, size)).toBe(partial ? -1 : 0);
              if (!partial) models[o.p] = model.filter((x) => !hit.includes(x));
            } else {
              const covered = hit.reduce((n, x) => n + x.size, 0) === size;
              const r = k.heap(pid).mprotect(vaddr, size, o.writable ? "rw" : "r");
              expect(r).toBe(!partial && covered ? 0 : -1);
              if (r === 0) for (const x of hit) x.writable = o.writable;
            }
          } else if (o.op === "access") {
            // Half the accesses aim at pages mapped now or before, the rest anywhere.
            const pool = history[o.p];
            const target = o.near && pool.length > 0 ? pool[o.at % pool.length] : undefined;
            const vaddr = target ? target.vaddr + (o.at % target.size) : o.at % space;
            const mode = o.user ? "user" : "supervisor";
            const out = k.access(pid, vaddr, o.write ? "write" : "read", mode);
            const x = model.find((y) => vaddr >= y.vaddr && vaddr < y.vaddr + y.size);
            if (!x) {
              expect(out).toMatchObject({ ok: false, fault: { kind: "not-present", vaddr } });
            } else if ((o.user && !x.user) || (o.write && !x.writable)) {
              expect(out).toMatchObject({ ok: false, fault: { kind: "protection", vaddr } });
            } else {
              expect(out).toMatchObject({ ok: true, paddr: x.paddr + (vaddr - x.vaddr), pageSize: x.size });
            }
          } else if (o.op === "flush") {
            expect(k.privileged(pid, "flush-tlb", "supervisor").ok).toBe(true);
          } else {
            k.destroyProcess(pid);
            k.createProcess({ pid });
            models[o.p] = [];
          }
        }
        // Hits and walks account for every successful translation; frames all come back.
        const snap = m.snapshot();
        const hits = snap.counters.tlbHitsLevel1 + snap.counters.tlbHitsLevel2 + snap.counters.tlbHitsLevel3;
        expect(hits + snap.counters.walks).toBe(snap.counters.accesses);
        for (const pid of pids) k.destroyProcess(pid);
        expect(m.snapshot().framesInUse).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe("MMU fast paths", () => {
  it("count exactly what the plain lookup loop counts, across context switches (recording turns the fast paths off)", () => {
    const policy = fc.constantFrom("lru" as const, "fifo" as const, "random" as const, "clock" as const);
    fc.assert(
      fc.property(
        policy,
        policy,
        fc.array(
          fc.record({ proc: fc.nat(1), page: fc.nat(40), offset: fc.nat(4095), write: fc.boolean(), huge: fc.boolean(), repeat: fc.integer({ min: 1, max: 4 }) }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.nat(),
        fc.boolean(),
        (p1, p2, stream, seed, asid) => {
          const run = (record: boolean) => {
            const m = createMachine(
              {
                physicalMemory: "64MiB",
                asid,
                tlb: [
                  { name: "L1-4K", level: 1, pageSizes: ["4KiB"], entries: 8, ways: 2, policy: p1 },
                  { name: "L1-2M", level: 1, pageSizes: ["2MiB"], entries: 2, ways: 2, policy: p2 },
                  { name: "L2", level: 2, pageSizes: ["4KiB", "2MiB"], entries: 16, ways: 4, policy: p2 },
                ],
              },
              { seed },
            );
            m.recordAccessStream(record);
            // Two processes, the same virtual layout (same vpns, different frames): switches between them
            // must keep the front and the window per address space (with ASIDs) or flush them (without).
            const procs = [0, 1].map(() => {
              const heap = m.kernel.heap(m.kernel.createProcess());
              return { heap, small: heap.sbrk(41 * 4096), huge: heap.mmap(4 * 2 ** 21, { hugePage: true }) };
            });
            for (const s of stream) {
              const { heap, small, huge } = procs[s.proc]!;
              const a = s.huge ? huge + (s.page % 4) * 2 ** 21 + s.offset : small + s.page * 4096 + s.offset;
              for (let r = 0; r < s.repeat; r++) {
                if (s.write) heap.store8(a, r + 16 * s.proc);
                else heap.load8(a);
              }
            }
            const snap = m.snapshot();
            // What each process reads back: a stale translation would show another process's bytes.
            const bytes = procs.map(({ heap, small }) => Array.from({ length: 41 }, (_, i) => heap.load8(small + i * 4096 + (i % 7))));
            return { counters: snap.counters, tlbs: snap.tlbs.map((t) => [t.hits, t.misses]), bytes };
          };
          expect(run(false)).toEqual(run(true));
        },
      ),
      { numRuns: 80 },
    );
  });
});
