import firstFit from "../../plugins/allocators/first-fit";
import type { AllocatorPlugin } from "memarena";
import type { Challenge } from "../../graders/challenge/types";
import { runJob } from "../../graders/replay/run-job";
import { parseTrace } from "../../graders/workload";
import * as broken from "./broken-allocators";

function run(plugin: AllocatorPlugin, workload: Challenge["workload"], extra: Partial<Challenge> = {}, traceText?: string) {
  const challenge = { id: "test/replay", subject: "allocator", seed: 7, workload, checks: { alignment: 16, heapResidentMetadata: true }, ...extra } as Challenge;
  return runJob({ challenge, traceText, traceName: traceText ? "t.rep" : undefined, plugin: { name: plugin.name, kind: "allocator", file: "<test>", sha256: "", code: "" } }, { main: plugin });
}

const churn = {
  generate: { kind: "random", ops: 600, sizes: { dist: "log-uniform", min: 8, max: 2048 }, maxLive: 60 },
} as unknown as Challenge["workload"];

describe("allocator replay", () => {
  it("measures utilization as peak live bytes / peak heap extent, computed independently", () => {
    // A malloc-lab trace: ids, sizes and frees chosen so that the peak is easy to see.
    const rep = ["0", "4", "9", "1", "a 0 100", "a 1 200", "a 2 300", "f 1", "a 3 150", "f 0", "f 2", "f 3", "a 0 700"].join("\n");
    const r = run(firstFit, { trace: "t.rep" } as Challenge["workload"], {}, rep);
    expect(r.verdict).toBe("pass");
    // Independent computation: replay the trace's sizes, tracking live bytes by hand...
    const ops = parseTrace(rep, "t.rep");
    let live = 0;
    let peakLive = 0;
    const sizes = new Map<number, number>();
    for (const op of ops) {
      if (op.op === "alloc") {
        sizes.set(op.id, op.size);
        live += op.size;
      } else if (op.op === "free") live -= sizes.get(op.id)!;
      peakLive = Math.max(peakLive, live);
    }
    expect(peakLive).toBe(700); // 100+200+300 = 600 < 700 at the end
    expect(r.metrics.peakLiveBytes).toBe(peakLive);
    // ...and the heap extent from the allocator's own sbrk calls (the break only grows).
    expect(r.metrics.utilization).toBeCloseTo(peakLive / r.metrics.peakHeapBytes, 9);
    expect(r.metrics.peakHeapBytes).toBeGreaterThanOrEqual(peakLive);
  });

  it("passes a correct allocator on generated churn with every check on", () => {
    const r = run(firstFit, churn);
    expect(r.failures).toEqual([]);
    expect(r.verdict).toBe("pass");
    expect(r.metrics.utilization).toBeGreaterThan(0.3);
    expect(r.metrics.cycles).toBeGreaterThan(0);
  });

  const cases: [string, AllocatorPlugin, string, RegExp][] = [
    ["overlap", broken.overlapping, "overlap", /overlaps live block \d+ \[0x[0-9a-f]+, 0x[0-9a-f]+\)/],
    ["misalignment", broken.misaligned, "alignment", /not a multiple of 16 \(off by 8\)/],
    ["a header written inside a live payload", broken.headerInPayload, "payloadIntegrity", /byte \d+ of block \d+ .* expected 0x/],
    ["realloc losing data", broken.reallocLoses, "reallocPreserves", /old contents must be kept/],
    ["out-of-heap pointers", broken.outOfHeap, "bounds", /not inside the heap/],
    ["a JS-side free list", broken.jsMapFreeList, "heapResidentMetadata", /re-created at op \d+ .*keeps state outside simulated memory/],
    ["NaN", broken.returnsNaN, "invalidReturn", /returned NaN/],
    ["a null return below the limit", broken.givesUp, "nullReturn", /heap limit was not reached/],
  ];
  it.each(cases)("catches %s with the intended check and message", (_what, plugin, check, message) => {
    const workload = {
      ops: [
        { op: "alloc", id: 1, size: 40 },
        { op: "alloc", id: 2, size: 24 },
        { op: "alloc", id: 3, size: 64 },
        { op: "free", id: 2 },
        { op: "realloc", id: 1, size: 100 },
        { op: "alloc", id: 4, size: 3000 },
        { op: "alloc", id: 5, size: 24 },
        { op: "free", id: 1 },
        { op: "free", id: 3 },
        { op: "alloc", id: 6, size: 24 },
        { op: "alloc", id: 7, size: 24 },
        { op: "free", id: 4 },
        { op: "free", id: 5 },
        { op: "free", id: 6 },
        { op: "free", id: 7 },
      ],
    } as unknown as Challenge["workload"];
    const r = run(plugin, workload);
    expect(r.verdict).toBe("fail");
    expect(r.failures[0].check).toBe(check);
    expect(r.failures[0].message).toMatch(message);
    expect(r.failures[0].op).toEqual(expect.any(Number));
    // The correct bump allocator passes the same workload: the failure is the plugin's, not the workload's.
    expect(run(broken.goodBump, workload).verdict).toBe("pass");
  });

  it("names the plugin, the hook, the op and the error for a throw", () => {
    const r = run(broken.throwsLater, churn);
    expect(r.verdict).toBe("error");
    expect(r.failures[0].check).toBe("PLUGIN_THREW");
    expect(r.failures[0].message).toMatch(/^throws-later\.malloc threw TypeError: .* at op \d+ \(a \d+ \d+\)/);
  });

  it("turns a bad access by the allocator into a page-fault verdict", () => {
    const r = run(broken.wildRead, churn);
    expect(r.verdict).toBe("error");
    expect(r.failures[0].check).toBe("PAGE_FAULT");
    expect(r.failures[0].message).toMatch(/wild-read\.malloc/);
  });

  it("gives the same result twice, byte for byte", () => {
    expect(JSON.stringify(run(firstFit, churn))).toBe(JSON.stringify(run(firstFit, churn)));
  });
});
