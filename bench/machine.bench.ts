/**
 * Machine benchmarks: translated loads per CPU-second through the Heap facade
 * (TLB-resident working set; every access walking 4 levels) and host memory
 * after touching 100 MiB of a 64 GiB machine (measured in a child process).
 */
import { execFileSync } from "node:child_process";
import { createMachine } from "../core/container";

const MiB = 1024 * 1024;

type Pattern = "round-robin" | "sequential";

/**
 * Loads per CPU-second through the Heap facade over `pages` 4 KiB pages of
 * the default machine: "round-robin" visits one 8-byte word per page in turn
 * (page after page), "sequential" scans them word by word.
 */
function loadsPerSecond(pages: number, pattern: Pattern, accesses: number): { rate: number; l1HitRate: number; walkRate: number } {
  const m = createMachine({ physicalMemory: "4GiB" });
  const pid = m.kernel.createProcess({ heapLimitBytes: 2 ** 40 });
  const heap = m.kernel.heap(pid);
  const base = heap.sbrk(pages * 4096);
  for (let p = 0; p < pages; p++) heap.store64(base + p * 4096, p);
  const span = pages * 4096;
  const run = (n: number): number => {
    let sum = 0;
    if (pattern === "sequential") {
      let off = 0;
      for (let i = 0; i < n; i++) {
        sum += heap.load64(base + off);
        off += 8;
        if (off === span) off = 0;
      }
    } else {
      let p = 0;
      let off = 0;
      for (let i = 0; i < n; i++) {
        sum += heap.load64(base + p * 4096 + off);
        if (++p === pages) {
          p = 0;
          off = (off + 8) & 4095;
        }
      }
    }
    return sum;
  };
  run(Math.min(accesses, 500_000));
  const before = m.snapshot().counters;
  // CPU time of this process, not wall time: the figure stays meaningful on a shared, busy machine.
  const cpu0 = process.cpuUsage();
  run(accesses);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  const after = m.snapshot().counters;
  return {
    rate: accesses / seconds,
    l1HitRate: (after.tlbHitsLevel1 - before.tlbHitsLevel1) / accesses,
    walkRate: (after.walks - before.walks) / accesses,
  };
}

/**
 * RSS of a fresh process (ts-node and its TypeScript compiler included) that
 * builds a 64 GiB machine and touches 100 MiB through the heap, and its growth
 * from just before the machine was built.
 */
function rssAfterTouching(): { rssBytes: number; deltaBytes: number; residentBytes: number } {
  const script = `
    require("ts-node").register({ transpileOnly: true });
    const { createMachine } = require(${JSON.stringify(require.resolve("../core/container"))});
    global.gc && global.gc();
    const before = process.memoryUsage().rss;
    const m = createMachine({ physicalMemory: "64GiB" });
    const pid = m.kernel.createProcess({ heapLimitBytes: 2 ** 40 });
    const heap = m.kernel.heap(pid);
    const bytes = 100 * 1024 * 1024;
    const base = heap.sbrk(bytes);
    for (let a = 0; a < bytes; a += 4096) heap.store64(base + a, a);
    global.gc && global.gc();
    const after = process.memoryUsage().rss;
    process.stdout.write(JSON.stringify({ rss: after, delta: after - before, resident: m.snapshot().residentBytes }));
  `;
  const out = execFileSync(process.execPath, ["--expose-gc", "-e", script], { cwd: __dirname + "/..", encoding: "utf8" });
  const r = JSON.parse(out) as { rss: number; delta: number; resident: number };
  return { rssBytes: r.rss, deltaBytes: r.delta, residentBytes: r.resident };
}

/** Runs every machine benchmark; figures by name. */
export async function run(): Promise<Record<string, number>> {
  // (a) 32 pages (128 KiB): fits the 64-entry L1-4K TLB, so every load is a level-1 hit.
  const sequential = loadsPerSecond(32, "sequential", 20_000_000);
  const roundRobin = loadsPerSecond(32, "round-robin", 20_000_000);
  // (b) 8192 pages round-robin: more than L1 (64) and L2 (1536) hold, so with LRU every load walks 4 levels.
  const walking = loadsPerSecond(8192, "round-robin", 4_000_000);
  const rss = rssAfterTouching();
  return {
    loadsPerCpuSecL1HitSequential: Math.round(sequential.rate),
    loadsPerCpuSecL1HitRoundRobin: Math.round(roundRobin.rate),
    l1HitRate: Math.min(sequential.l1HitRate, roundRobin.l1HitRate),
    loadsPerCpuSecEveryLoadWalks: Math.round(walking.rate),
    walksPerLoad: walking.walkRate,
    rssMbAfterTouching100MiBOf64GiB: Math.round(rss.rssBytes / MiB),
    rssGrowthMbTouching100MiBOf64GiB: Math.round(rss.deltaBytes / MiB),
    residentMbAfterTouching100MiBOf64GiB: Math.round(rss.residentBytes / MiB),
  };
}

if (require.main === module) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
