/**
 * What each sanitizer costs on the same clean workload, against the wrapped
 * allocator alone (a pass-through sanitizer in the same replay). The table is
 * printed for the record; the assertions hold the orderings the plugin
 * headers claim, not exact figures.
 */
import electricFence from "../../plugins/sanitizers/electric-fence";
import gwpAsan from "../../plugins/sanitizers/gwp-asan";
import hugeGuard from "../../plugins/sanitizers/huge-page-guard";
import leakChecker from "../../plugins/sanitizers/leak-checker";
import asan, { makeAsan } from "../../plugins/sanitizers/asan";
import type { SanitizerPlugin } from "memarena";
import { cleanWorkload, expectClean, passThrough, runSanitizer } from "./harness";

describe("sanitizer overheads on a clean workload", () => {
  it("measures virtualOverhead and cyclesPerOp against the bare allocator", () => {
    const ops = cleanWorkload();
    const plugins: [string, SanitizerPlugin][] = [
      ["pass-through", passThrough], ["leak-checker", leakChecker], ["gwp-asan", gwpAsan], ["asan", asan],
      ["asan/16KiB-q", makeAsan({ quarantineBytes: 16 * 1024 })], ["electric-fence", electricFence], ["huge-page-guard", hugeGuard],
    ];
    const m: Record<string, Readonly<Record<string, number>>> = {};
    for (const [label, p] of plugins) {
      const run = runSanitizer(p, ops, { raii: true });
      expectClean(run);
      m[label] = run.result.metrics;
    }
    const table = Object.entries(m).map(([name, x]) =>
      `${name.padEnd(16)} virtualOverhead ${x.virtualOverhead.toFixed(2).padStart(8)}  physicalOverhead ${x.physicalOverhead.toFixed(2).padStart(8)}  cyclesPerOp ${x.cyclesPerOp.toFixed(1).padStart(7)}`);
    console.log(`${ops.length} ops, peak live ${m["pass-through"].peakLiveBytes} bytes\n${table.join("\n")}`);

    const base = m["pass-through"];
    // No per-access hook, pass-through malloc/free: the allocator's own cost.
    expect(m["leak-checker"].cyclesPerOp).toBe(base.cyclesPerOp);
    expect(m["leak-checker"].virtualOverhead).toBe(base.virtualOverhead);
    // Sampling: close to free.
    expect(m["gwp-asan"].cyclesPerOp).toBeLessThan(1.5 * base.cyclesPerOp);
    // A check plus shadow loads on every access.
    expect(m.asan.cyclesPerOp).toBeGreaterThan(2 * base.cyclesPerOp);
    // Most of asan's address space is the quarantine holding freed blocks back.
    expect(m["asan/16KiB-q"].virtualOverhead).toBeLessThan(m.asan.virtualOverhead);
    // A page (or a huge page) per block.
    expect(m["electric-fence"].physicalOverhead).toBeGreaterThan(3 * base.physicalOverhead);
    expect(m["huge-page-guard"].virtualOverhead).toBeGreaterThan(100 * m["electric-fence"].virtualOverhead);
  });
});
