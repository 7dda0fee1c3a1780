import electricFence, { makeElectricFence } from "../../plugins/sanitizers/electric-fence";
import { SCENARIOS, cleanWorkload, expectClean, expectOutcome, runSanitizer, type Outcome } from "./harness";

type Row = [keyof typeof SCENARIOS, Outcome];

describe("electric-fence (overflow mode, the default)", () => {
  it("is the default export, named electric-fence", () => {
    expect(electricFence.name).toBe("electric-fence");
    expect(electricFence.kind).toBe("sanitizer");
  });

  const rows: Row[] = [
    ["overflow1Aligned", "caught"],
    // The payload end is rounded to 16: bytes 100..111 are slack in front of the guard page.
    ["overflow1Slack", "missed"],
    ["overflowPage", "caught"],
    // The bytes before the payload are the rest of its first page, mapped and writable.
    ["underflowFirst", "missed"],
    ["underflowSecond", "missed"],
    ["uafRead", "caught"],
    ["uafWrite", "caught"],
    ["doubleFree", "caught"],
    ["invalidFree", "caught"],
    ["leakOnThrow", "caught"],
  ];
  it.each(rows)("%s: %s", (key, outcome) => {
    expectOutcome(electricFence, key, outcome);
  });

  it("places each block so that it ends at a guard page", () => {
    const run = runSanitizer(electricFence, [{ op: "alloc", id: 1, size: 96 }, { op: "alloc", id: 2, size: 5000 }, { op: "free", id: 1 }, { op: "free", id: 2 }]);
    expect((run.allocAddress.get(0)! + 96) % 4096).toBe(0);
    expect((run.allocAddress.get(1)! + 5008) % 4096).toBe(0);
  });

  it("raises no false alarm on a clean workload", () => {
    expectClean(runSanitizer(electricFence, cleanWorkload(), { raii: true }));
  });
});

describe("electric-fence (underflow mode)", () => {
  const underflow = makeElectricFence({ mode: "underflow" });
  const rows: Row[] = [
    // Now the slack is after the payload: small overruns stay inside the block's last page.
    ["overflow1Aligned", "missed"],
    ["overflow1Slack", "missed"],
    // A long contiguous overrun leaves the block's pages and meets the guard page at the bottom of the mapping above.
    ["overflowPage", "caught"],
    ["underflowFirst", "caught"],
    ["underflowSecond", "caught"],
    ["uafRead", "caught"],
    ["uafWrite", "caught"],
    ["doubleFree", "caught"],
    ["invalidFree", "caught"],
    ["leakOnThrow", "caught"],
  ];
  it.each(rows)("%s: %s", (key, outcome) => {
    expectOutcome(underflow, key, outcome);
  });

  it("places each block at the start of a page", () => {
    const run = runSanitizer(underflow, [{ op: "alloc", id: 1, size: 100 }, { op: "free", id: 1 }]);
    expect(run.allocAddress.get(0)! % 4096).toBe(0);
  });

  it("raises no false alarm on a clean workload", () => {
    expectClean(runSanitizer(underflow, cleanWorkload(), { raii: true }));
  });
});
