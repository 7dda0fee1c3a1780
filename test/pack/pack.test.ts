/**
 * The built-in challenge pack (challenges/pack): every mechanism of the seed
 * article is covered by a challenge that exists, validates and exercises it;
 * the pack lists grouped by topic; and every challenge verifies — its
 * accepted references pass and its rejected ones fail the named check.
 * Everything goes through the built CLI, as an instructor would run it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { memarena, ROOT } from "../cli/cli";

const PACK = path.join(ROOT, "challenges/pack");

interface Listed {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly visibility: string;
  readonly file: string;
}

type Op = { readonly op: string; readonly [k: string]: unknown };
type Doc = Record<string, any>;

/** The challenge file of an id, parsed. */
function challenge(id: string): Doc {
  return JSON.parse(fs.readFileSync(path.join(PACK, `${id}.json`), "utf8")) as Doc;
}
const ops = (c: Doc): Op[] => (c.workload?.ops ?? []) as Op[];
const opNames = (c: Doc): Set<string> => new Set(ops(c).map((o) => o.op));
const expects = (c: Doc): Set<string> => new Set(ops(c).map((o) => o.expect).filter((e): e is string => typeof e === "string"));
const generators = (spec: Doc | undefined): Doc[] => (!spec ? [] : spec.kind === "phases" ? (spec.phases as Doc[]).flatMap(generators) : [spec]);
const scored = (c: Doc): string[] => (c.scoring?.components ?? []).map((s: Doc) => s.metric);

/** One row per topic of the issue: the challenge that covers it and what makes it exercise the mechanism. */
const COVERAGE: readonly { topic: string; id: string; exercises: (c: Doc) => void }[] = [
  {
    topic: "1. base and limit registers: bounds traps, relocation",
    id: "contiguous/base-limit",
    exercises: (c) => {
      expect(c.subject).toBe("placement");
      expect(c.machine.mode).toBe("base-limit");
      expect(ops(c).some((o) => o.op === "spawn" && o.base !== undefined)).toBe(true);
      expect(expects(c)).toEqual(new Set(["ok", "bounds"]));
      const compactAt = ops(c).findIndex((o) => o.op === "compact");
      expect(compactAt).toBeGreaterThan(0);
      expect(ops(c).slice(compactAt).some((o) => o.op === "access" && o.expect === "ok")).toBe(true);
    },
  },
  {
    topic: "2. first / best / worst / next fit under process churn",
    id: "contiguous/fit-strategies",
    exercises: (c) => {
      expect(c.subject).toBe("placement");
      expect(generators(c.workload.generate).map((g) => g.kind)).toContain("processes");
      expect(scored(c)).toEqual(expect.arrayContaining(["placementSuccessRate", "externalFragmentation"]));
      expect(c.scoring.components.every((s: Doc) => s.baseline === "builtin:placement-first-fit")).toBe(true);
      expect(fs.readdirSync(path.join(PACK, "contiguous/fit-strategies/accepted")).length).toBeGreaterThanOrEqual(4);
    },
  },
  {
    topic: "3. compaction breaking a DMA transfer that holds a physical address",
    id: "contiguous/compaction-dma",
    exercises: (c) => {
      expect(c.subject).toBe("placement");
      for (const op of ["pin", "compact", "dma"]) expect(opNames(c)).toContain(op);
      const rejected = path.join(PACK, "contiguous/compaction-dma/rejected");
      expect(fs.readdirSync(rejected).some((f) => /@expect\s+dmaCorruption/.test(fs.readFileSync(path.join(rejected, f), "utf8")))).toBe(true);
    },
  },
  {
    topic: "4. a DMA device cannot be pointed across a gap: bounce or scatter-gather",
    id: "dma/across-a-gap",
    exercises: (c) => {
      expect(c.subject).toBe("none");
      expect(c.machine.mode ?? "paging").toBe("paging");
      expect(c.machine.devices.map((d: Doc) => d.dma).sort()).toEqual(["contiguous", "scatter-gather"]);
      expect(opNames(c)).toContain("dma");
      expect(expects(c)).toContain("fault");
      expect(c.metrics).toContain("bounceBytes");
    },
  },
  {
    topic: "5. a linear address space over scattered frames",
    id: "paging/scattered-frames",
    exercises: (c) => {
      expect(c.subject).toBe("none");
      expect(ops(c).filter((o) => o.op === "map").map((o) => o.frame)).toEqual([100, 305, 101]);
      expect(ops(c).filter((o) => o.op === "access" && o.expect === "ok").length).toBeGreaterThanOrEqual(6);
    },
  },
  {
    topic: "6. protection: per-process tables, user vs supervisor, privileged ops, context switches",
    id: "paging/protection",
    exercises: (c) => {
      expect(c.subject).toBe("none");
      expect(new Set(ops(c).filter((o) => o.op === "spawn").map((o) => o.pid)).size).toBeGreaterThanOrEqual(2);
      for (const e of ["ok", "protection", "privilege", "not-present"]) expect(expects(c)).toContain(e);
      expect(ops(c).some((o) => o.op === "access" && o.mode === "supervisor")).toBe(true);
      expect(opNames(c)).toContain("switch");
      expect(challenge("paging/context-switch-asid").machine.asid).toBe(true);
      expect(challenge("paging/context-switch-flush").machine.asid).toBe(false);
    },
  },
  {
    topic: "7. guard pages: overruns caught, zero physical cost, virtual cost measured",
    id: "sanitizers/guard-pages",
    exercises: (c) => {
      expect(c.subject).toBe("sanitizer");
      expect(expects(c)).toContain("overflow");
      expect(c.metrics).toEqual(expect.arrayContaining(["virtualOverhead", "peakFrameBytes"]));
      expect(fs.readdirSync(path.join(PACK, "sanitizers/guard-pages/accepted"))).toContain("electric-fence.ts");
    },
  },
  {
    topic: "8. leaks on an error path, and RAII that prevents them",
    id: "sanitizers/leak-on-error-path",
    exercises: (c) => {
      expect(c.subject).toBe("sanitizer");
      expect(c.workload.raii).toBe(false);
      expect(ops(c).some((o) => o.op === "scope" && o.action === "throw")).toBe(true);
      expect(expects(c)).toContain("leak");
      const raii = challenge("sanitizers/raii-no-leak");
      expect(raii.workload.raii).toBe(true);
      expect(expects(raii).has("leak")).toBe(false);
      expect(ops(raii).some((o) => o.op === "scope" && o.action === "throw")).toBe(true);
    },
  },
  {
    topic: "9. internal fragmentation: page rounding, headers, alignment, buddy rounding",
    id: "heap/internal-fragmentation",
    exercises: (c) => {
      expect(c.subject).toBe("allocator");
      expect(ops(c).some((o) => o.op === "alloc" && o.size === 4097)).toBe(true);
      expect(c.metrics).toEqual(expect.arrayContaining(["internalFragmentation", "pageInternalFragmentation", "utilization"]));
      expect(fs.readdirSync(path.join(PACK, "heap/internal-fragmentation/accepted"))).toContain("buddy.ts");
      const small = ops(challenge("heap/many-small")).filter((o) => o.op === "alloc");
      const large = ops(challenge("heap/one-large")).filter((o) => o.op === "alloc");
      expect(small.length).toBe(256);
      expect(large).toHaveLength(1);
      expect(large[0].size).toBe(small.reduce((s, o) => s + (o.size as number), 0));
    },
  },
  {
    topic: "10. the TLB: misses and page walks across working-set sizes",
    id: "tlb/working-set",
    exercises: (c) => {
      expect(c.subject).toBe("allocator");
      expect(c.machine.tlb.length).toBeGreaterThanOrEqual(2);
      expect([...opNames(c)]).toEqual(expect.arrayContaining(["read", "write"]));
      expect(new Set(ops(c).filter((o) => o.op === "alloc").map((o) => o.size)).size).toBeGreaterThanOrEqual(3);
      expect(c.metrics).toEqual(expect.arrayContaining(["walks", "optimalMisses"]));
    },
  },
  {
    topic: "11. huge pages: reach gained, and the atomic-unit problem with guard pages",
    id: "hugepages/reach",
    exercises: (c) => {
      expect(c.machine.paging.hugePages).toContain("2MiB");
      expect(c.scoring.components.some((s: Doc) => s.baseline === "builtin:first-fit")).toBe(true);
      expect(fs.readdirSync(path.join(PACK, "hugepages/reach/accepted"))).toContain("huge-page-aware.ts");
      const guard = challenge("hugepages/guard-atomic");
      expect(guard.subject).toBe("sanitizer");
      expect(guard.machine.paging.hugePages).toContain("2MiB");
      expect(ops(guard).some((o) => o.op === "alloc" && o.size === 256 * 1024)).toBe(true);
      expect(fs.readdirSync(path.join(PACK, "hugepages/guard-atomic/accepted"))).toContain("huge-page-guard.ts");
    },
  },
  {
    topic: "12. scatter-gather DMA, bounce buffers, the IOMMU",
    id: "dma/iommu",
    exercises: (c) => {
      expect(c.subject).toBe("none");
      expect(c.machine.iommu.enabled).toBe(true);
      expect(opNames(c)).toContain("dma");
      expect(c.metrics).toEqual(expect.arrayContaining(["iotlbMisses", "bounceBytes"]));
    },
  },
  {
    topic: "13. malloc-lab workloads: random, binary, coalescing, realloc, lifetimes",
    id: "heap/random",
    exercises: () => {
      const kinds = ["random", "binary", "coalescing", "realloc", "lifetimes"];
      for (const kind of kinds) {
        const c = challenge(`heap/${kind}`);
        expect(c.subject).toBe("allocator");
        expect(generators(c.workload.generate).map((g) => g.kind)).toContain(kind);
        expect(c.checks.heapResidentMetadata).toBe(true);
        expect(scored(c)).toEqual(["utilization", "cyclesPerOp"]);
        expect(c.scoring.components[1].baseline).toBe("builtin:first-fit");
      }
      const rejectedChecks = new Set(
        kinds.flatMap((k) => {
          const dir = path.join(PACK, "heap", k, "rejected");
          return fs.readdirSync(dir).map((f) => /@expect\s+(\w+)/.exec(fs.readFileSync(path.join(dir, f), "utf8"))?.[1]);
        }),
      );
      for (const check of ["overlap", "alignment", "payloadIntegrity", "reallocPreserves", "heapResidentMetadata", "bounds"]) expect(rejectedChecks).toContain(check);
    },
  },
  {
    topic: "14. a frame allocator that keeps huge pages available under churn",
    id: "frames/huge-under-churn",
    exercises: (c) => {
      expect(c.subject).toBe("frame-allocator");
      expect(scored(c)).toEqual(["hugePageRate"]);
      expect(c.scoring.components[0].baseline).toBe("builtin:frames-buddy");
      expect(fs.readdirSync(path.join(PACK, "frames/huge-under-churn/accepted")).sort()).toEqual(["frames-buddy.ts", "frames-free-list.ts"]);
    },
  },
];

describe("the built-in challenge pack", () => {
  let listed: Listed[];

  beforeAll(() => {
    const r = memarena(["challenge", "list", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    listed = JSON.parse(r.stdout) as Listed[];
  });

  it("`challenge list` shows the pack grouped by topic", () => {
    const topics = [...new Set(listed.map((c) => c.topic))].sort();
    expect(topics).toEqual(["contiguous", "dma", "frames", "heap", "hugepages", "paging", "sanitizers", "tlb"]);
    for (const c of listed) expect(c.id.startsWith(`${c.topic}/`)).toBe(true);
    const hidden = listed.filter((c) => c.visibility === "hidden").map((c) => c.id);
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    expect(hidden.length).toBeLessThanOrEqual(3);
    const text = memarena(["challenge", "list"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^contiguous\n {2}contiguous\/base-limit/m);
    expect(text.stdout).toMatch(/\d+ challenges in 8 topics/);
  });

  it("every challenge file validates", () => {
    const r = memarena(["challenge", "validate", PACK]);
    expect(r.stdout).toMatch(/\d+ valid, 0 problems/);
    expect(r.code).toBe(0);
  });

  it("every challenge has a description, a difficulty, a scoring spec, a fixed seed and small limits", () => {
    for (const { id } of listed) {
      const c = challenge(id);
      expect(c.description.length).toBeGreaterThan(200);
      expect(["intro", "core", "advanced"]).toContain(c.difficulty);
      expect(c.scoring.components.length).toBeGreaterThan(0);
      expect(Number.isInteger(c.seed)).toBe(true);
      expect(c.limits.timeMs).toBeLessThanOrEqual(10_000);
    }
  });

  describe.each(COVERAGE)("$topic", ({ id, exercises }) => {
    it(`is covered by ${id}, which exists and exercises it`, () => {
      expect(listed.map((c) => c.id)).toContain(id);
      expect(fs.existsSync(path.join(PACK, `${id}.json`))).toBe(true);
      exercises(challenge(id));
    });
  });

  // The CI gate: every accepted reference passes, every rejected one fails the check it names.
  it("`challenge verify` passes over the whole pack", () => {
    const r = memarena(["challenge", "verify", "--jobs", "2"], { timeoutMs: 600_000 });
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 600_000);
});
