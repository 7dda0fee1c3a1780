import hugeGuard, { makeHugePageGuard, type HugeGuardStats } from "../../plugins/sanitizers/huge-page-guard";
import { SCENARIOS, cleanWorkload, expectClean, expectOutcome, runSanitizer, type Outcome } from "./harness";

const MiB = 1024 * 1024;
const KiB = 1024;

describe("huge-page-guard", () => {
  it("is the default export, named huge-page-guard", () => {
    expect(hugeGuard.name).toBe("huge-page-guard");
  });

  const rows: [keyof typeof SCENARIOS, Outcome][] = [
    ["overflow1Aligned", "caught"],
    ["overflow1Slack", "missed"],
    ["overflowPage", "caught"],
    // The payload sits at the end of its 2 MiB huge page: what precedes it is mapped.
    ["underflowFirst", "missed"],
    ["underflowSecond", "missed"],
    ["uafRead", "caught"],
    ["uafWrite", "caught"],
    ["doubleFree", "caught"],
    ["invalidFree", "caught"],
    ["leakOnThrow", "caught"],
  ];
  it.each(rows)("%s: %s", (key, outcome) => {
    expectOutcome(hugeGuard, key, outcome);
  });

  it("puts a 256 KiB block at the end of its own 2 MiB huge page, between 2 MiB guards, and shows the cost", () => {
    const stats: HugeGuardStats = { payloadMappedBytes: 0, guardBytes: 0, unguardedEdges: 0 };
    const run = runSanitizer(makeHugePageGuard({ stats }), [
      { op: "alloc", id: 1, size: 256 * KiB },
      { op: "write", id: 1, offset: 0, length: 256 * KiB },
      { op: "write", id: 1, offset: 256 * KiB, length: 1, expect: "overflow" },
      { op: "free", id: 1 },
    ]);
    expect(run.result.verdict).toBe("pass");
    expect(run.result.metrics.truePositives).toBe(1);
    const address = run.allocAddress.get(0)!;
    expect((address + 256 * KiB) % (2 * MiB)).toBe(0);
    expect(stats).toEqual({ payloadMappedBytes: 2 * MiB, guardBytes: 4 * MiB, unguardedEdges: 0 });
    // Frames: the whole huge page is backed (1.75 MiB of it never used by the payload).
    expect(run.result.metrics.peakFrameBytes).toBeGreaterThanOrEqual(2 * MiB);
    // Address space as the replay measures it: the payload's huge page plus its two 2 MiB guards,
    // 6 MiB for 256 KiB of payload (24x), the seed article's trade-off.
    expect((stats.payloadMappedBytes + stats.guardBytes) / (256 * KiB)).toBe(24);
    expect(run.result.metrics.virtualOverhead).toBeGreaterThanOrEqual(24);
    expect(run.result.metrics.virtualOverhead).toBeLessThan(24.01);
  });

  it("falls back to base-page guards on a machine without huge pages", () => {
    const run = runSanitizer(hugeGuard, SCENARIOS.overflow1Aligned.ops, { machine: { paging: { hugePages: [] } } });
    expect(run.result.verdict).toBe("pass");
    expect(run.result.metrics.truePositives).toBe(1);
    expect((run.allocAddress.get(0)! + 96) % 4096).toBe(0);
  });

  it("raises no false alarm on a clean workload", () => {
    const run = runSanitizer(hugeGuard, cleanWorkload({ ops: 500, maxLive: 12 }), { raii: true });
    expectClean(run);
  });
});
