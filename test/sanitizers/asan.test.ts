import asan, { makeAsan } from "../../plugins/sanitizers/asan";
import { SCENARIOS, cleanWorkload, expectClean, expectOutcome, runSanitizer, type Outcome } from "./harness";

describe("asan", () => {
  it("is the default export, named asan", () => {
    expect(asan.name).toBe("asan");
  });

  // Redzones on both sides, the alignment slack poisoned to the byte, freed memory quarantined.
  const rows: [keyof typeof SCENARIOS, Outcome][] = (Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]).map((k) => [k, "caught"]);
  it.each(rows)("%s: %s", (key, outcome) => {
    expectOutcome(asan, key, outcome);
  });

  it("catches an overflow into a partial shadow granule (13-byte block, byte 13)", () => {
    const run = runSanitizer(asan, [
      { op: "alloc", id: 1, size: 13 },
      { op: "write", id: 1, offset: 0, length: 13 },
      { op: "write", id: 1, offset: 8, length: 6, expect: "overflow" },
      { op: "free", id: 1 },
    ]);
    expect(run.result.metrics.truePositives).toBe(1);
    expect(run.result.verdict).toBe("pass");
  });

  it("misses a use-after-free once the block has left the quarantine and been reused", () => {
    const noQuarantine = makeAsan({ quarantineBytes: 0 });
    const ops = [
      { op: "alloc", id: 1, size: 48 },
      { op: "free", id: 1 },
      { op: "alloc", id: 2, size: 48 },
      { op: "read", id: 1, offset: 0, length: 8, expect: "use-after-free" },
      { op: "free", id: 2 },
    ];
    const run = runSanitizer(noQuarantine, ops);
    // The wrapped first-fit hands the same bytes to block 2: the stale pointer reads live memory.
    expect(run.allocAddress.get(2)).toBe(run.allocAddress.get(0));
    expect(run.result.metrics.misses).toBe(1);
    expect(run.result.metrics.falseAlarms).toBe(0);
    // With the default quarantine the same workload is caught.
    const caught = runSanitizer(asan, ops);
    expect(caught.allocAddress.get(2)).not.toBe(caught.allocAddress.get(0));
    expect(caught.result.metrics.truePositives).toBe(1);
    expect(caught.result.verdict).toBe("pass");
  });

  it("raises no false alarm on a clean workload, and checks every access", () => {
    let checks = 0;
    const counted = {
      ...asan,
      create: (...args: Parameters<typeof asan.create>) => {
        const s = asan.create(...args);
        return { ...s, checkAccess: (addr: number, length: number) => (checks++, s.checkAccess!(addr, length)) };
      },
    };
    const run = runSanitizer(counted, cleanWorkload(), { raii: true });
    expectClean(run);
    // Every read or write the replay carried out (not skipped for a block no longer live) went through checkAccess.
    const accesses = (run.result.events ?? []).filter((e) => ["read", "write"].includes((e.op as { op: string }).op) && e.skipped === undefined).length;
    expect(accesses).toBeGreaterThan(100);
    expect(checks).toBe(accesses);
  });
});
