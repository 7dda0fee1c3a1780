/**
 * One (submission, challenge) run, inside the sandbox: build the machine from
 * the challenge, resolve the workload, replay it against the plugin for the
 * challenge's subject, and return data only.
 */
import { createMachine } from "../../core/container";
import { normalizeMachine, type NormalizedMachine } from "../../core/machine/config";
import type { Machine } from "../../core/machine/types";
import { seedFrom } from "../../core/random";
import type { AllocatorPlugin } from "../../core/sdk/types";
import type { Failure } from "../results";
import type { RunJob, RunResult } from "../protocol";
import { resolveWorkload } from "../workload";
import { heapLimitOf, type JobPlugins } from "./common";
import { replayAllocator, type AllocatorChecks } from "./allocator-replay";
import { machineMetrics } from "./machine-metrics";
import type { HeapOp } from "./ops";
import { recreationPoints } from "./recreation";
import { expandScopes } from "./scopes";
import { replayMachineOps } from "./machine-replay";
import { replaySanitizer } from "./sanitizer-replay";
import { replayPlacement } from "./placement-replay";
import { replayFrames } from "./frames-replay";


export type { JobPlugins };

/** Runs a job to completion. Throws only for memarena's own faults (the sandbox reports those as internal errors). */
export function runJob(job: RunJob, evaluated: JobPlugins): RunResult {
  const machines: Machine[] = [];
  try {
    return replayJob(job, evaluated, (config, seed) => {
      const m = createMachine(config, { seed });
      machines.push(m);
      return m;
    });
  } finally {
    // Their host memory goes to the next job of this process (tests and AllocatorTester run many).
    for (const m of machines) m.dispose();
  }
}

function replayJob(job: RunJob, evaluated: JobPlugins, newMachine: (config: NormalizedMachine, seed: number) => Machine): RunResult {
  const challenge = job.challenge;
  const seed = seedFrom(challenge.seed ?? challenge.id);
  const config = normalizeMachine(challenge.machine ?? {}, challenge.id, "/machine");
  const ops = resolveWorkload(challenge, job.traceText, job.traceName) as readonly HeapOp[];
  const events: Record<string, unknown>[] | undefined = job.events ? [] : undefined;
  const onOp = events ? (index: number, outcome: Record<string, unknown>) => void events.push({ index, op: ops[index], ...outcome }) : undefined;
  const subject = challenge.subject ?? "allocator";

  if (subject === "frame-allocator") {
    // A frame allocator is graded on its own frame numbers: no machine is built.
    const r = replayFrames({ job, plugin: evaluated.main, config, ops, seed, onOp, progress: evaluated.progress });
    return { verdict: r.verdict, metrics: r.metrics, failures: [...r.failures], opsReplayed: r.opsReplayed, events };
  }

  const wantsBelady = (challenge.metrics ?? []).some((m: string) => /optimal|belady/i.test(m));
  const machine = newMachine(config, seed);
  machine.recordAccessStream(wantsBelady);

  let verdict: RunResult["verdict"] = "pass";
  let failures: Failure[] = [];
  let metrics: Record<string, number> = {};
  let opsReplayed = 0;
  let series: Record<string, number[]> | undefined;

  switch (subject) {
    case "allocator": {
      const checks = allocatorChecks(challenge.checks ?? {});
      const heapLimitBytes = heapLimitOf(challenge.limits?.heapBytes);
      const pid = machine.kernel.createProcess({ heapLimitBytes, alignment: checks.alignment });
      machine.kernel.switchTo(pid);
      const expanded = expandScopes(ops as never, challenge.workload?.raii === true);
      const heapOps = expanded.ops as unknown as HeapOp[];
      let replica;
      if (challenge.checks?.heapResidentMetadata) {
        const replicaMachine = newMachine(config, seed);
        const replicaPid = replicaMachine.kernel.createProcess({ heapLimitBytes, alignment: checks.alignment });
        replicaMachine.kernel.switchTo(replicaPid);
        replica = { machine: replicaMachine, pid: replicaPid, recreateAt: recreationPoints(heapOps, seed) };
      }
      const r = replayAllocator({
        pluginName: job.plugin.name,
        plugin: evaluated.main as AllocatorPlugin,
        ops: heapOps,
        origin: expanded.origin,
        machine,
        pid,
        checks,
        seed,
        replica,
        details: job.details,
        onOp,
        quiet: evaluated.quiet,
        progress: evaluated.progress,
      });
      verdict = r.verdict;
      failures = r.failure ? [r.failure] : [];
      metrics = r.metrics;
      opsReplayed = r.opsReplayed;
      series = r.series;
      break;
    }
    case "sanitizer": {
      const r = replaySanitizer({ job, plugins: evaluated, ops, machine, seed, onOp });
      ({ verdict, metrics, opsReplayed } = r);
      failures = [...r.failures];
      break;
    }
    case "placement": {
      const r = replayPlacement({ job, plugin: evaluated.main, ops, machine, onOp, progress: evaluated.progress });
      ({ verdict, metrics, opsReplayed } = r);
      failures = [...r.failures];
      break;
    }
    case "none": {
      const r = replayMachineOps({ ops, machine, onOp });
      ({ verdict, metrics, opsReplayed } = r);
      failures = [...r.failures];
      break;
    }
    default:
      throw new Error(`unknown subject ${String(subject)}`);
  }

  const all: Record<string, number> = { ...machineMetrics(machine.snapshot(), Math.max(1, opsReplayed), config.paging.pageSize), ...metrics };
  if (all.peakLiveBytes > 0) {
    // Virtual vs physical overhead: address space and frames held per byte of live payload.
    if (all.peakHeapBytes !== undefined) all.virtualOverhead ??= all.peakHeapBytes / all.peakLiveBytes;
    all.physicalOverhead = all.peakFrameBytes / all.peakLiveBytes;
  }
  return { verdict, metrics: pickMetrics(all), failures, opsReplayed, events, ...(series ? { series } : {}) };
}

/** The allocator checks a challenge turns on; correctness checks default on. */
export function allocatorChecks(c: { alignment?: number; bounds?: boolean; overlap?: boolean; payloadIntegrity?: boolean; reallocPreserves?: boolean }): AllocatorChecks {
  return {
    alignment: c.alignment ?? 16,
    bounds: c.bounds ?? true,
    overlap: c.overlap ?? true,
    payloadIntegrity: c.payloadIntegrity ?? true,
    reallocPreserves: c.reallocPreserves ?? true,
  };
}

/** Metrics with stable key order (sorted), so results JSON is byte-identical run to run. */
function pickMetrics(m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(m).sort()) if (Number.isFinite(m[k])) out[k] = m[k];
  return out;
}
