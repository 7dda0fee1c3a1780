import segregatedFits from "../../../plugins/allocators/segregated-fits";
import { FakeHeap } from "../../helpers/fake-heap";
import { replay } from "../allocator-harness";
import { binaryAdversarial, standardWorkloads } from "../workloads";
it("times", () => {
  const out: string[] = [];
  for (const A of [16, 8]) {
    let sum = 0;
    for (const w of [...standardWorkloads(), binaryAdversarial()]) {
      const t = Date.now();
      const r = replay(segregatedFits, new FakeHeap({ alignment: A }), w.ops);
      if (!w.name.includes("adv")) sum += r.utilization;
      out.push(`A=${A} ${w.name} ${(r.utilization * 100).toFixed(1)}% ${Date.now() - t}ms`);
    }
    out.push(`avg ${(sum / 6 * 100).toFixed(1)}`);
  }
  console.log(out.join("\n"));
});
