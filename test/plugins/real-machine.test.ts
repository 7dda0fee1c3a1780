/**
 * The same allocators, workloads and random sequences, replayed on the real
 * simulated machine (MMU, TLBs, the grader's checks including mid-run
 * re-creation) through the AllocatorTester students use. The fake-heap tests
 * pin behaviour down; these check that nothing depends on the fake.
 */
import fc from "fast-check";
import type { AllocatorPlugin } from "memarena";
import { AllocatorTester } from "../../graders/testing";
import firstFit from "../../plugins/allocators/first-fit";
import nextFit from "../../plugins/allocators/next-fit";
import bestFit from "../../plugins/allocators/best-fit";
import worstFit from "../../plugins/allocators/worst-fit";
import segregatedFits from "../../plugins/allocators/segregated-fits";
import buddy from "../../plugins/allocators/buddy";
import hugePageAware from "../../plugins/allocators/huge-page-aware";
import { type Command, type HeapOp, toOps } from "./allocator-harness";
import { standardWorkloads } from "./workloads";

const PLUGINS: readonly AllocatorPlugin[] = [firstFit, nextFit, bestFit, worstFit, segregatedFits, buddy, hugePageAware];

/** Challenge ops: no `recreate` (the grader re-creates at seeded points) and no zero sizes. */
function challengeOps(ops: readonly HeapOp[]): never {
  return ops.filter((op) => op.op !== "recreate" && !("size" in op && op.size === 0)) as never;
}

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3000 }).map((size) => ({ op: "alloc" as const, size })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ op: "free" as const, pick })) },
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), size: fc.integer({ min: 1, max: 3000 }) }).map((r) => ({ op: "realloc" as const, ...r })) },
);

/** The first `n` ops of a workload, then frees of whatever is still live (keeps the suite fast). */
function prefix(ops: readonly HeapOp[], n: number): HeapOp[] {
  const head = ops.slice(0, n);
  const live = new Set<number>();
  for (const op of head) {
    if (op.op === "alloc") live.add(op.id);
    else if (op.op === "free") live.delete(op.id);
  }
  return [...head, ...[...live].map((id) => ({ op: "free" as const, id }))];
}

describe.each(PLUGINS.map((p) => [p.name, p] as const))("%s on the simulated machine", (_name, plugin) => {
  it("passes every grader check on the standard workloads (first 800 ops of each)", () => {
    const tester = new AllocatorTester({ alignment: 16 });
    for (const w of standardWorkloads()) {
      const result = tester.replay(plugin, { name: w.name, ops: challengeOps(prefix(w.ops, 800)) });
      expect({ workload: w.name, verdict: result.verdict, failure: result.failures[0]?.message }).toEqual({
        workload: w.name,
        verdict: "pass",
        failure: undefined,
      });
    }
  });

  it("passes every grader check on random alloc/free/realloc sequences", () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 1, maxLength: 80 }), fc.constantFrom(8 as const, 16 as const), fc.nat(), (commands, alignment, seed) => {
        const result = new AllocatorTester({ alignment, seed }).replay(plugin, { ops: challengeOps(toOps(commands)) });
        expect(result.failures[0]?.message).toBeUndefined();
        expect(result.verdict).toBe("pass");
      }),
      { numRuns: 15 },
    );
  });
});
