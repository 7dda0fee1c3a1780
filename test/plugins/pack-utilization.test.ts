/**
 * The reference segregated-fits allocator against the pack's five
 * malloc-lab-style challenges, through the grader's own replay: every check
 * passes and the average utilization is at least 90% (the strong baseline
 * students measure themselves against).
 */
import * as path from "node:path";
import { loadChallengeFile } from "../../graders/challenge/load";
import { runJob } from "../../graders/replay/run-job";
import segregatedFits from "../../plugins/allocators/segregated-fits";

const PACK = path.join(__dirname, "../../challenges/pack/heap");
const MALLOC_LAB = ["random", "binary", "coalescing", "realloc", "lifetimes"];

describe("segregated-fits on the pack's malloc-lab-style challenges", () => {
  it("passes every check and averages at least 90% utilization", () => {
    const utilization = MALLOC_LAB.map((name) => {
      const { challenge } = loadChallengeFile(path.join(PACK, `${name}.json`));
      const r = runJob({ challenge, plugin: { name: "segregated-fits", kind: "allocator", file: "builtin:segregated-fits", sha256: "", code: "" } }, { main: segregatedFits });
      expect({ name, verdict: r.verdict, failure: r.failures[0]?.message }).toEqual({ name, verdict: "pass", failure: undefined });
      return r.metrics.utilization;
    });
    const mean = utilization.reduce((a, b) => a + b, 0) / utilization.length;
    expect(mean).toBeGreaterThanOrEqual(0.9);
  });
});
