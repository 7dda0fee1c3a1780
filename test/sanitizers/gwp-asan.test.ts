import gwpAsan, { makeGwpAsan } from "../../plugins/sanitizers/gwp-asan";
import { SCENARIOS, cleanWorkload, expectClean, expectOutcome, runSanitizer, type Outcome, type TestOp } from "./harness";

/** Sampled blocks live in the pool, which the kernel maps at the top of the mmap area (>= 2^46 with 48-bit addresses); the sbrk heap is far below. */
const MMAP_FLOOR = 2 ** 46;

type Row = [keyof typeof SCENARIOS, Outcome];

describe("gwp-asan", () => {
  it("is the default export, named gwp-asan", () => {
    expect(gwpAsan.name).toBe("gwp-asan");
  });

  describe("sampling every malloc (sampleRate 1): what a sampled block catches", () => {
    const always = makeGwpAsan({ sampleRate: 1 });
    const rows: Row[] = [
      // First sampled block: right-aligned in its slot, end rounded to 16.
      ["overflow1Aligned", "caught"],
      ["overflow1Slack", "missed"],
      ["overflowPage", "caught"],
      // The first block is right-aligned (guards its end); the second is left-aligned (guards its start).
      ["underflowFirst", "missed"],
      ["underflowSecond", "caught"],
      ["uafRead", "caught"],
      ["uafWrite", "caught"],
      ["doubleFree", "caught"],
      // An interior pointer of a sampled block is not a slot's payload: reported as an invalid free.
      ["invalidFree", "caught"],
      ["leakOnThrow", "caught"],
    ];
    it.each(rows)("%s: %s", (key, outcome) => {
      expectOutcome(always, key, outcome);
    });
  });

  describe("an unsampled block is not protected at all", () => {
    const never = makeGwpAsan({ sampleRate: 1e9 });
    const rows: Row[] = [
      ["overflow1Aligned", "missed"],
      ["underflowSecond", "missed"],
      ["uafRead", "missed"],
      ["uafWrite", "missed"],
      ["doubleFree", "missed"],
      ["leakOnThrow", "missed"],
    ];
    it.each(rows)("%s: %s", (key, outcome) => {
      expectOutcome(never, key, outcome);
    });
  });

  it("at the default rate catches about 1 in 16 use-after-frees: exactly those in sampled blocks", () => {
    const ops: TestOp[] = [];
    const n = 480;
    for (let i = 0; i < n; i++) {
      ops.push({ op: "alloc", id: i, size: 64 });
      ops.push({ op: "free", id: i });
      ops.push({ op: "read", id: i, offset: 0, length: 8, expect: "use-after-free" });
    }
    const run = runSanitizer(gwpAsan, ops);
    const sampled = [...run.allocAddress.values()].filter((a) => a >= MMAP_FLOOR).length;
    expect(run.result.metrics.truePositives).toBe(sampled);
    expect(run.result.metrics.misses).toBe(n - sampled);
    expect(run.result.metrics.falseAlarms).toBe(0);
    expect(sampled).toBeGreaterThanOrEqual(n / 32);
    expect(sampled).toBeLessThanOrEqual(n / 8);
    // Deterministic: the same run samples the same allocations.
    const again = runSanitizer(gwpAsan, ops);
    expect([...again.allocAddress]).toEqual([...run.allocAddress]);
  });

  it("falls back to the wrapped allocator when every slot is taken", () => {
    const tiny = makeGwpAsan({ sampleRate: 1, slots: 2 });
    const run = runSanitizer(tiny, [
      { op: "alloc", id: 1, size: 96 },
      { op: "alloc", id: 2, size: 96 },
      { op: "alloc", id: 3, size: 96 },
      { op: "write", id: 1, offset: 96, length: 1, expect: "overflow" },
      { op: "write", id: 3, offset: 0, length: 8 },
      { op: "free", id: 1 },
      { op: "free", id: 2 },
      { op: "free", id: 3 },
    ]);
    expect(run.allocAddress.get(0)!).toBeGreaterThanOrEqual(MMAP_FLOOR);
    expect(run.allocAddress.get(1)!).toBeGreaterThanOrEqual(MMAP_FLOOR);
    expect(run.allocAddress.get(2)!).toBeLessThan(MMAP_FLOOR);
    expect(run.result.metrics.truePositives).toBe(1);
    expect(run.result.verdict).toBe("pass");
  });

  it("raises no false alarm on a clean workload, sampled or not", () => {
    expectClean(runSanitizer(gwpAsan, cleanWorkload(), { raii: true }));
    expectClean(runSanitizer(makeGwpAsan({ sampleRate: 1, slots: 8 }), cleanWorkload(), { raii: true }));
  });
});
