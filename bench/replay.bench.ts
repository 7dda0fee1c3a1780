/**
 * Harness overhead: the grader's replay with every check on, against a
 * trivial bump allocator (so what is measured is the grader, not the
 * plugin), and a 100 000-op trace graded with the first-fit reference.
 */
import "reflect-metadata";
import { defineAllocator, type AllocatorPlugin } from "../core/sdk";
import type { Challenge, Op } from "../graders/challenge/types";
import { runJob } from "../graders/replay/run-job";
import firstFit from "../plugins/allocators/first-fit";

const bump = defineAllocator({
  name: "bench-bump",
  create: (heap) => ({
    malloc(size) {
      const old = heap.sbrk(Math.ceil((size + 16) / 16) * 16);
      return old === -1 ? 0 : old + 16;
    },
    free() {},
  }),
});

function allocFreeOps(n: number): Op[] {
  const ops: Op[] = [];
  // Pairs of alloc/free with a window of 64 live blocks, sizes 16..80.
  for (let i = 0; ops.length < n; i++) {
    ops.push({ op: "alloc", id: i, size: 16 + ((i * 37) % 64) });
    if (i >= 64) ops.push({ op: "free", id: i - 64 });
  }
  return ops;
}

function time(plugin: AllocatorPlugin, ops: Op[], checks: Record<string, unknown>): { ms: number; verdict: string } {
  const challenge = {
    id: "bench/replay",
    subject: "allocator",
    seed: 1,
    machine: { physicalMemory: "16GiB" },
    workload: { ops },
    checks,
    limits: { heapBytes: "8GiB" },
  } as unknown as Challenge;
  // CPU time of this process, not wall time: the figure stays meaningful on a shared, busy machine.
  const cpu0 = process.cpuUsage();
  const r = runJob({ challenge, plugin: { name: plugin.name, kind: "allocator", file: "bench", sha256: "", code: "" } }, { main: plugin });
  const cpu = process.cpuUsage(cpu0);
  return { ms: (cpu.user + cpu.system) / 1000, verdict: r.verdict };
}

/** The median of three runs, after a warm-up run (so the figure is the harness, not the JIT's first pass). */
function median3(plugin: AllocatorPlugin, ops: Op[], checks: Record<string, unknown>): { ms: number; verdict: string } {
  time(plugin, ops.slice(0, 100_000), checks);
  const runs = [time(plugin, ops, checks), time(plugin, ops, checks), time(plugin, ops, checks)].sort((x, y) => x.ms - y.ms);
  return runs[1];
}

/** Replay throughput figures. */
export async function run(): Promise<Record<string, number>> {
  const million = allocFreeOps(1_000_000);
  const all = { alignment: 16, bounds: true, overlap: true, payloadIntegrity: true, reallocPreserves: true };
  const cold = time(bump, million, all);
  const a = median3(bump, million, all);
  const b = median3(bump, million, { ...all, payloadIntegrity: false });
  const trace = allocFreeOps(100_000);
  const c = time(firstFit, trace, { ...all, heapResidentMetadata: true });
  if (a.verdict !== "pass" || c.verdict !== "pass") throw new Error(`bench runs must pass: ${a.verdict} ${c.verdict}`);
  return {
    "bump, 1M ops, all checks, first run: ops/cpu-s": 1e6 / (cold.ms / 1000),
    "bump, 1M ops, all checks (median of 3, warmed): ops/cpu-s": 1e6 / (a.ms / 1000),
    "bump, 1M ops, no payload fill (median of 3): ops/cpu-s": 1e6 / (b.ms / 1000),
    "first-fit, 100k-op trace, heap-resident check: cpu-seconds": c.ms / 1000,
  };
}
