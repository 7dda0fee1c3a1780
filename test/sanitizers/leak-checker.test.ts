import leakChecker from "../../plugins/sanitizers/leak-checker";
import type { Heap, InnerAllocator } from "memarena";
import { SCENARIOS, cleanWorkload, expectClean, expectOutcome, runSanitizer, type Outcome } from "./harness";

describe("leak-checker", () => {
  const rows: [keyof typeof SCENARIOS, Outcome][] = [
    // It watches malloc/free only: no access is checked.
    ["overflow1Aligned", "missed"],
    ["overflow1Slack", "missed"],
    // The overrun stomps the next block's header; the wrapped first-fit then fails on free.
    ["overflowPage", "missed, then the wrapped allocator crashes"],
    ["underflowFirst", "missed"],
    ["underflowSecond", "missed"],
    ["uafRead", "missed"],
    ["uafWrite", "missed"],
    // It knows the live set, so bad frees are reported (and kept away from the wrapped allocator).
    ["doubleFree", "caught"],
    ["invalidFree", "caught"],
    ["leakOnThrow", "caught"],
  ];
  it.each(rows)("%s: %s", (key, outcome) => {
    expectOutcome(leakChecker, key, outcome);
  });

  it("finds nothing when RAII frees the scope's blocks during unwinding", () => {
    const ops = SCENARIOS.leakOnThrow.ops.map(({ expect: _e, ...op }) => op);
    expectClean(runSanitizer(leakChecker, ops, { raii: true }));
  });

  it("reports each leaked block with its address, size and allocation number", () => {
    let next = 0x1000;
    const inner: InnerAllocator = { malloc: (n) => ((next += 0x100), next - 0x100 + n * 0), free: () => {}, realloc: () => 0 };
    const lc = leakChecker.create({} as Heap, inner);
    const a = lc.malloc(10);
    const b = lc.malloc(20);
    const c = lc.malloc(30);
    lc.free(b);
    expect(lc.free(b)).toEqual({ kind: "double-free", address: b });
    expect(lc.free(b + 8)).toEqual({ kind: "invalid-free", address: b + 8 });
    expect(lc.onExit!()).toEqual([
      { kind: "leak", address: a, block: { address: a, size: 10 }, allocation: 1 },
      { kind: "leak", address: c, block: { address: c, size: 30 }, allocation: 3 },
    ]);
  });

  it("raises no false alarm on a clean workload", () => {
    expectClean(runSanitizer(leakChecker, cleanWorkload(), { raii: true }));
  });
});
