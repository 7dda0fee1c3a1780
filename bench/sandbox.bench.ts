/**
 * Loader and sandbox costs: a second and later load of a plugin (target
 * < 50 ms) and starting one isolated run (target < 150 ms): spawn, harden,
 * evaluate the plugin, a 1-op replay, the answer; and the same run in a
 * child kept from the submission's previous run (SandboxLane), which skips
 * the spawn. Medians over several runs.
 */
import path from "node:path";
import { clearLoaderCache, loadPlugin } from "../graders/loader";
import { ensureChildBundle, PACKAGE_ROOT, runIsolated, SandboxLane } from "../graders/sandbox";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Runs the benchmark; figures in milliseconds. */
export async function run(): Promise<Record<string, number>> {
  const spec = path.join(PACKAGE_ROOT, "test", "fixtures", "plugins", "good", "bump.ts");
  const standIn = ensureChildBundle({ outfile: path.join(PACKAGE_ROOT, "dist", "test", "sandbox-child.stand-in.js"), replay: path.join(PACKAGE_ROOT, "test", "sandbox", "stand-in-replay.ts") });
  clearLoaderCache();
  let t0 = process.hrtime.bigint();
  const plugin = loadPlugin(spec);
  const firstLoadMs = ms(t0);
  const again: number[] = [];
  for (let i = 0; i < 20; i++) {
    t0 = process.hrtime.bigint();
    loadPlugin(spec);
    again.push(ms(t0));
  }
  const job = { challenge: { id: "bench", standIn: { ops: 1 } } as never, plugin };
  const starts: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = process.hrtime.bigint();
    const r = await runIsolated(job, { timeMs: 10_000, memoryMb: 128 }, { childBundle: standIn });
    starts.push(ms(t0));
    if (r.verdict !== "pass") throw new Error(`bench run failed: ${JSON.stringify(r)}`);
  }
  const lane = new SandboxLane({ childBundle: standIn });
  const kept: number[] = [];
  try {
    for (let i = 0; i < 11; i++) {
      t0 = process.hrtime.bigint();
      const r = await lane.run(job, { timeMs: 10_000, memoryMb: 128 });
      if (i > 0) kept.push(ms(t0));
      if (r.verdict !== "pass") throw new Error(`bench run failed: ${JSON.stringify(r)}`);
    }
  } finally {
    lane.close();
  }
  return {
    firstLoadMs: Math.round(firstLoadMs),
    secondLoadMedianMs: Number(median(again).toFixed(2)),
    secondLoadMaxMs: Number(Math.max(...again).toFixed(2)),
    isolatedRunStartMedianMs: Math.round(median(starts)),
    isolatedRunStartMinMs: Math.round(Math.min(...starts)),
    runInKeptChildMedianMs: Number(median(kept).toFixed(2)),
  };
}

if (require.main === module) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
