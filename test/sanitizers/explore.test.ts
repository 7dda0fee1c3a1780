import ef, { makeElectricFence } from "../../plugins/sanitizers/electric-fence";
import gwp, { makeGwpAsan } from "../../plugins/sanitizers/gwp-asan";
import hg from "../../plugins/sanitizers/huge-guard";
import asan from "../../plugins/sanitizers/redzone-asan";
import lc from "../../plugins/sanitizers/leak-checker";
import { SCENARIOS, runSanitizer, detected, cleanWorkload, passThrough } from "./harness";
it("explore", () => {
  const plugins = { ef, efU: makeElectricFence({ mode: "underflow" }), gwp1: makeGwpAsan({ sampleRate: 1 }), gwp, hg, asan, lc } as any;
  const rows: string[] = [];
  for (const [pn, p] of Object.entries(plugins)) {
    for (const [sn, s] of Object.entries(SCENARIOS)) {
      const r = runSanitizer(p as any, s.ops, { raii: s.raii, schemaValid: s.schemaValid });
      rows.push(`${pn} ${sn} det=${detected(r, s)} v=${r.result.verdict} tp=${r.result.metrics.truePositives} fa=${r.result.metrics.falseAlarms} miss=${r.result.metrics.misses} unexp=${r.result.metrics.unexplainedFaults} reps=${JSON.stringify(r.opReports)} ${r.result.failures.map(f=>f.message).join("|").slice(0,200)}`);
    }
    const c = runSanitizer(p as any, cleanWorkload({}), { raii: true });
    rows.push(`${pn} CLEAN v=${c.result.verdict} fa=${c.result.metrics.falseAlarms} unexp=${c.result.metrics.unexplainedFaults} vo=${c.result.metrics.virtualOverhead} po=${c.result.metrics.physicalOverhead} cpo=${c.result.metrics.cyclesPerOp} ${c.result.failures.map(f=>f.message).join("|").slice(0,300)}`);
  }
  const c = runSanitizer(passThrough, cleanWorkload({}), { raii: true });
  rows.push(`base CLEAN v=${c.result.verdict} vo=${c.result.metrics.virtualOverhead} po=${c.result.metrics.physicalOverhead} cpo=${c.result.metrics.cyclesPerOp}`);
  require("fs").writeFileSync("/tmp/sanx/explore.txt", rows.join("\n"));
});
