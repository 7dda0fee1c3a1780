import segregatedFits from "../../../plugins/allocators/segregated-fits";
import type { AllocatorPlugin } from "memarena";
import { FakeHeap } from "../../helpers/fake-heap";
import { replay } from "../allocator-harness";
import { reallocGrowth } from "../workloads";
it("debug", () => {
  const out: string[] = [];
  for (const A of [16, 8]) {
    let n = 0;
    const heap = new FakeHeap({ alignment: A });
    const wrapped: AllocatorPlugin = {
      name: "w",
      create(h) {
        const a = segregatedFits.create(h);
        return {
          init: a.init,
          malloc(s) { n++; const e = h.heapEnd; const p = a.malloc(s); if (h.heapEnd !== e) out.push(`A${A} #${n} malloc ${s} grew ${h.heapEnd - e} -> ${h.heapEnd - h.heapStart} p=${p - h.heapStart}`); return p; },
          free: a.free,
          realloc(p, s) { n++; const e = h.heapEnd; const q = a.realloc!(p, s); if (h.heapEnd !== e || (q !== p)) out.push(`A${A} #${n} realloc ${p - h.heapStart}->${q - h.heapStart} ${s} grew ${h.heapEnd - e} -> ${h.heapEnd - h.heapStart}`); return q; },
        };
      },
    };
    replay(wrapped, heap, reallocGrowth("memarena-utilization").ops);
  }
  console.log(out.filter((l) => !l.includes("grew 0") || l.includes("realloc")).slice(0, 400).join("\n"));
});
