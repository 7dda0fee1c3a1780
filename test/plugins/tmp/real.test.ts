import { AllocatorTester } from "../../../graders/testing";
import firstFit from "../../../plugins/allocators/first-fit";
import nextFit from "../../../plugins/allocators/next-fit";
import bestFit from "../../../plugins/allocators/best-fit";
import worstFit from "../../../plugins/allocators/worst-fit";
import seg from "../../../plugins/allocators/segregated-fits";
import buddy from "../../../plugins/allocators/buddy";
import huge from "../../../plugins/allocators/huge-page-aware";
import { standardWorkloads } from "../workloads";
it("real", () => {
  const t = new AllocatorTester({ alignment: 16 });
  const out: string[] = [];
  const w = standardWorkloads()[0];
  for (const p of [firstFit, nextFit, bestFit, worstFit, seg, buddy, huge]) {
    const start = Date.now();
    const r = t.replay(p, { name: "x", ops: w.ops as never });
    out.push(`${p.name} ${r.verdict} ${JSON.stringify(r.metrics ?? {}).slice(0, 200)} ${r.failures[0]?.message ?? ""} ${Date.now() - start}ms`);
  }
  console.log(out.join("\n"));
});
