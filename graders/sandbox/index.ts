/**
 * Isolated runs (DESIGN.md §8). Each (submission, challenge) run is in a
 * child process (fresh, or one that ran the same submission's previous job:
 * session.ts) under Node's permission model — it may read its own bundle
 * and nothing else: no file writes, no other files, no child processes, no
 * workers, no native addons — with the network neutered inside it and the
 * plugin in a vm realm behind a membrane (realm.ts). The parent enforces the
 * limits: wall time (SIGKILL -> `timeout`) and memory, both the JS heap
 * (`--max-old-space-size`; the child's OOM abort -> `memory-limit`) and the
 * resident set, polled from /proc (what catches ArrayBuffers, which no V8
 * flag caps). Only data crosses: a request on stdin, answers on stdout.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import type { BundledPlugin, RunJob, RunResult } from "../protocol";
import { ensureChildBundle } from "./child-bundle";
import { opText } from "../replay/ops";
import { resolveWorkload } from "../workload/resolve";
import { pool } from "../pool";
import { type ChildMessage, type ChildRequest, parseMessages } from "./messages";
import { classifyExit, type RunLimits, rssLimitMb, type SandboxOptions, SandboxChild, sandboxArgs, stopResult } from "./session";

export { callPlugin, PluginFault, toPluginFault, withOp, type PluginFaultData } from "./guard";
export { ensureChildBundle, DEFAULT_CHILD_BUNDLE, PACKAGE_ROOT } from "./child-bundle";

/** The limits of one run, from the challenge. */
export { type RunLimits, type SandboxOptions, sandboxArgs, SandboxChild } from "./session";

function resolveBundle(options: SandboxOptions): string {
  return options.childBundle !== undefined ? ensureChildBundle({ outfile: options.childBundle }) : ensureChildBundle();
}

/**
 * Runs one job in a fresh sandbox child and returns its result; never rejects.
 * A run that times out (or goes over its memory limit) is run once more with
 * the same limits, reporting each op as it starts: the replay is
 * deterministic, so the op that second run was in when it was stopped is
 * where the first one was stuck (or, for a plugin that is merely slow, how
 * far the time goes). The failure then names it.
 */
export async function runIsolated(job: RunJob, limits: RunLimits, options: SandboxOptions = {}): Promise<RunResult> {
  return locateStop(await runFresh(job, limits, options), job, limits, options);
}

/** One job in a child of its own. */
async function runFresh(job: RunJob, limits: RunLimits, options: SandboxOptions): Promise<RunResult> {
  let bundle: string;
  try {
    bundle = resolveBundle(options);
  } catch (e) {
    return cannotPrepare(e);
  }
  const child = new SandboxChild(bundle, limits.memoryMb, options);
  try {
    return await child.run(job, limits);
  } finally {
    child.close();
  }
}

function cannotPrepare(e: unknown): RunResult {
  return stopResult("internal-error", "INTERNAL", `cannot prepare the sandbox: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * `result`, or for a timeout or a memory limit, the same with the op that a
 * second run (reporting each op) was in when it was stopped the same way.
 */
async function locateStop(result: RunResult, job: RunJob, limits: RunLimits, options: SandboxOptions): Promise<RunResult> {
  const verdict = result.verdict;
  if ((verdict !== "timeout" && verdict !== "memory-limit") || job.progress || options.locateStops === false) return result;
  const located = await runFresh({ ...job, progress: true }, limits, options);
  const op = located.verdict === verdict ? located.failures[0]?.op : undefined;
  const first = result.failures[0];
  if (op === undefined || first === undefined) return result;
  const when = verdict === "timeout" ? "when its time ran out" : "when it went over";
  // What the second run printed last: the same lines the first printed before it was stopped (the runs are the same).
  const output = located.output && located.output.length > 0 ? { output: located.output } : {};
  return { ...result, ...output, failures: [{ ...first, op, message: `${first.message}; a second run with the same limit was in op ${op}${describeOp(job, op)} ${when}` }, ...result.failures.slice(1)] };
}

/** " (a 17 512)": the op's compact text, or nothing when the workload cannot be resolved here. */
function describeOp(job: RunJob, op: number): string {
  try {
    const ops = resolveWorkload(job.challenge, job.traceText, job.traceName);
    return op < ops.length ? ` (${opText(ops[op])})` : "";
  } catch {
    return "";
  }
}

/** What decides whether two jobs may share a child: the same plugin code (and the same plugins beside it). */
function submissionKey(job: RunJob): string {
  const others = Object.entries(job.with ?? {}).map(([role, p]) => `${role}=${p.sha256}`).sort();
  return [job.plugin.sha256, ...others].join(" ");
}

/**
 * Runs jobs one after another, keeping its child from one job to the next
 * while they are the same submission's with the same memory limit and the
 * child may be reused (session.ts); otherwise a fresh child. Each job's
 * result is what runIsolated would give. Close it when done.
 */
export class SandboxLane {
  private child: SandboxChild | undefined;
  private key = "";
  private bundle: string | undefined;

  constructor(private readonly options: SandboxOptions = {}) {}

  async run(job: RunJob, limits: RunLimits): Promise<RunResult> {
    try {
      this.bundle ??= resolveBundle(this.options);
    } catch (e) {
      return cannotPrepare(e);
    }
    const key = submissionKey(job);
    const reuse = this.options.reuseChildren !== false && this.child !== undefined && this.key === key && this.child.canTake(limits.memoryMb);
    if (!reuse) {
      this.close();
      this.child = new SandboxChild(this.bundle, limits.memoryMb, this.options);
      this.key = key;
    }
    const result = await this.child!.run(job, limits);
    if (this.options.reuseChildren === false) this.close();
    return locateStop(result, job, limits, this.options);
  }

  /** Lets the child exit. */
  close(): void {
    this.child?.close();
    this.child = undefined;
  }
}

/**
 * Runs jobs with at most `concurrency` lanes at a time (SandboxLane: a
 * submission's jobs share a child); results come back in the order of `jobs`
 * whatever order the runs finish in.
 */
export async function runPool(
  jobs: readonly RunJob[],
  limits: RunLimits | ((job: RunJob, index: number) => RunLimits),
  concurrency: number,
  options: SandboxOptions = {},
): Promise<RunResult[]> {
  const lanes = Array.from({ length: Math.max(1, Math.min(Math.floor(concurrency) || 1, jobs.length)) }, () => new SandboxLane(options));
  try {
    return await pool(jobs, lanes.length, (job, i, w) => lanes[w]!.run(job, typeof limits === "function" ? limits(job, i) : limits));
  } finally {
    for (const lane of lanes) lane.close();
  }
}

/** What inspecting a plugin in a sandbox child gave. */
export type InspectOutcome =
  | Extract<ChildMessage, { type: "inspected" | "fault" | "internal" }>
  | { readonly type: "timeout"; readonly timeMs: number }
  | { readonly type: "memory-limit"; readonly memoryMb: number };

/** Limits of an inspection (evaluating the module and probing create()). */
export interface InspectLimits {
  readonly timeMs: number;
  readonly memoryMb: number;
}

const DEFAULT_INSPECT: InspectLimits = { timeMs: 5000, memoryMb: 256 };
const PRLIMIT = "/usr/bin/prlimit";

/**
 * Evaluates a bundle in a sandbox child, synchronously, and reports its shape
 * (name, kind) or what went wrong. The child is the same as for runs; as a
 * synchronous call cannot poll its memory, the data segment is capped with
 * prlimit(1) where it exists, so an ArrayBuffer bomb fails to allocate.
 */
export function inspectIsolated(plugin: Pick<BundledPlugin, "code" | "file" | "name">, limits: InspectLimits = DEFAULT_INSPECT, options: SandboxOptions = {}): InspectOutcome {
  const bundle = resolveBundle(options);
  const args = sandboxArgs(bundle, limits.memoryMb);
  const dataLimit = (rssLimitMb(limits.memoryMb, options) + 256) * 1024 * 1024;
  const [cmd, argv] = fs.existsSync(PRLIMIT) ? [PRLIMIT, [`--data=${dataLimit}`, process.execPath, ...args]] : [process.execPath, args];
  const request: ChildRequest = { mode: "inspect", plugin: { code: plugin.code, file: plugin.file, name: plugin.name } };
  const r = spawnSync(cmd, argv, { input: JSON.stringify(request), env: {}, timeout: limits.timeMs + 2000, killSignal: "SIGKILL", maxBuffer: 64 << 20, windowsHide: true });
  const messages = parseMessages(r.stdout?.toString("utf8") ?? "");
  const answer = messages.find((m) => m.type === "inspected" || m.type === "fault" || m.type === "internal");
  if (answer !== undefined) return answer as InspectOutcome;
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") return { type: "timeout", timeMs: limits.timeMs };
  const exit = classifyExit(r.stderr?.toString("utf8") ?? "", r.status, r.signal);
  return exit.kind === "memory-limit" ? { type: "memory-limit", memoryMb: limits.memoryMb } : { type: "internal", message: `the sandbox child ${exit.how} without an answer${exit.tail ? `: ${exit.tail.split("\n").join(" | ")}` : ""}` };
}
