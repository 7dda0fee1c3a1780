import firstFit from "../../../plugins/allocators/implicit-first-fit";
import nextFit from "../../../plugins/allocators/next-fit";
import bestFit from "../../../plugins/allocators/explicit-best-fit";
import worstFit from "../../../plugins/allocators/explicit-worst-fit";
import segregatedFits from "../../../plugins/allocators/segregated-fits";
import buddy from "../../../plugins/allocators/buddy";
import { FakeHeap } from "../../helpers/fake-heap";
import { replay } from "../allocator-harness";
import { binaryAdversarial, standardWorkloads } from "../workloads";
it("times", () => {
  const out: string[] = [];
  for (const p of [segregatedFits, buddy, bestFit, worstFit, firstFit, nextFit]) {
    for (const w of [...standardWorkloads(), binaryAdversarial()]) {
      const t = Date.now();
      const heap = new FakeHeap({ alignment: 16 });
      const r = replay(p, heap, w.ops);
      out.push(`${p.name} ${w.name} ${(r.utilization*100).toFixed(1)}% ops=${w.ops.length} ${Date.now() - t}ms`);
    }
  }
  console.log(out.join("\n"));
});
