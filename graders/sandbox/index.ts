/**
 * Isolated runs (DESIGN.md §8). Each (submission, challenge) run is a fresh
 * child process under Node's permission model — it may read its own bundle
 * and nothing else: no file writes, no other files, no child processes, no
 * workers, no native addons — with the network neutered inside it and the
 * plugin in a vm realm behind a membrane (realm.ts). The parent enforces the
 * limits: wall time (SIGKILL -> `timeout`) and memory, both the JS heap
 * (`--max-old-space-size`; the child's OOM abort -> `memory-limit`) and the
 * resident set, polled from /proc (what catches ArrayBuffers, which no V8
 * flag caps). Only data crosses: a request on stdin, answers on stdout.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import type { BundledPlugin, RunJob, RunResult } from "../protocol";
import { ensureChildBundle } from "./child-bundle";
import { opText } from "../replay/ops";
import { resolveWorkload } from "../workload/resolve";
import { type ChildMessage, type ChildRequest, lastProgress, parseMessages } from "./messages";

export { callPlugin, PluginFault, toPluginFault, withOp, type PluginFaultData } from "./guard";
export { ensureChildBundle, DEFAULT_CHILD_BUNDLE, PACKAGE_ROOT } from "./child-bundle";

/** The limits of one run, from the challenge. */
export interface RunLimits {
  /** Wall-clock budget from the moment the child is ready (plugin loading included). */
  readonly timeMs: number;
  /** The plugin's memory budget: the JS heap cap; the resident-set cap adds `rssAllowanceMb` for the runtime. */
  readonly memoryMb: number;
}

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface SandboxOptions {
  /** The child bundle to run (default dist/sandbox-child.js, built when missing or stale). */
  readonly childBundle?: string;
  /** Resident-set poll period (default 15 ms). */
  readonly pollMs?: number;
  /** Resident memory allowed above `memoryMb` for Node itself and the grader's code (default 128 MiB). */
  readonly rssAllowanceMb?: number;
  /** Longest wait for the child to start, which is never the plugin's fault (default 20 s). */
  readonly startupMs?: number;
  /** Re-run a job that timed out, reporting each op, to name the op it was in (default true). */
  readonly locateTimeouts?: boolean;
}

const DEFAULT_POLL_MS = 15;
const DEFAULT_RSS_ALLOWANCE_MB = 128;
const DEFAULT_STARTUP_MS = 20_000;
const STDERR_TAIL = 8192;
const OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed|out of memory/i;

/**
 * The node arguments of a sandbox child: the permission model with read
 * access to the bundle only, no warnings, the JS heap cap, no code generation
 * from strings in any realm (so even a leaked host `Function` cannot compile
 * `return process`), the default stack size.
 */
export function sandboxArgs(childBundle: string, memoryMb: number): string[] {
  return [
    "--experimental-permission",
    `--allow-fs-read=${childBundle}`,
    "--no-warnings",
    `--max-old-space-size=${Math.max(16, Math.floor(memoryMb))}`,
    "--disallow-code-generation-from-strings",
    childBundle,
  ];
}

function resolveBundle(options: SandboxOptions): string {
  return options.childBundle !== undefined ? ensureChildBundle({ outfile: options.childBundle }) : ensureChildBundle();
}

function stopResult(verdict: RunResult["verdict"], check: string, message: string): RunResult {
  return { verdict, metrics: {}, failures: [{ check, message }], opsReplayed: 0 };
}

/** Resident set size of a process in MiB, or undefined when it is gone. */
function residentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Runs one job in a fresh sandbox child and returns its result; never rejects.
 * A run that times out is run once more with the same limits, reporting each
 * op as it starts: the replay is deterministic, so the op that second run was
 * in when its time ran out is where the first one was stuck (or, for a plugin
 * that is merely slow, how far the time goes). The failure then names it.
 */
export async function runIsolated(job: RunJob, limits: RunLimits, options: SandboxOptions = {}): Promise<RunResult> {
  const result = await runChild(job, limits, options);
  if (result.verdict !== "timeout" || job.progress || options.locateTimeouts === false) return result;
  const located = await runChild({ ...job, progress: true }, limits, options);
  const op = located.verdict === "timeout" ? located.failures[0]?.op : undefined;
  const first = result.failures[0];
  if (op === undefined || first === undefined) return result;
  return { ...result, failures: [{ ...first, op, message: `${first.message}; a second run with the same limit was in op ${op}${describeOp(job, op)} when its time ran out` }, ...result.failures.slice(1)] };
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

function runChild(job: RunJob, limits: RunLimits, options: SandboxOptions): Promise<RunResult> {
  let bundle: string;
  try {
    bundle = resolveBundle(options);
  } catch (e) {
    return Promise.resolve(stopResult("internal-error", "INTERNAL", `cannot prepare the sandbox: ${e instanceof Error ? e.message : String(e)}`));
  }
  const name = job.plugin.name;
  const rssLimitMb = limits.memoryMb + (options.rssAllowanceMb ?? DEFAULT_RSS_ALLOWANCE_MB);
  return new Promise<RunResult>((resolve) => {
    const child = spawn(process.execPath, sandboxArgs(bundle, limits.memoryMb), { stdio: ["pipe", "pipe", "pipe"], env: {}, windowsHide: true });
    const out: Buffer[] = [];
    let stderrTail = "";
    let ready = false;
    let killedFor: { verdict: "timeout" | "memory-limit" | "internal-error"; message: string } | undefined;
    let peakMb = 0;
    const kill = (verdict: "timeout" | "memory-limit" | "internal-error", message: string): void => {
      if (killedFor === undefined) killedFor = { verdict, message };
      child.kill("SIGKILL");
    };
    const startup = setTimeout(() => kill("internal-error", `the sandbox child did not start within ${options.startupMs ?? DEFAULT_STARTUP_MS} ms`), options.startupMs ?? DEFAULT_STARTUP_MS);
    let deadline: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      const mb = residentMb(child.pid);
      if (mb === undefined) return;
      peakMb = Math.max(peakMb, mb);
      if (mb > rssLimitMb) kill("memory-limit", `${name} exceeded the memory limit of ${limits.memoryMb} MiB (resident ${Math.round(mb)} MiB, allowed ${rssLimitMb} MiB with the runtime)`);
    }, options.pollMs ?? DEFAULT_POLL_MS);

    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      if (!ready && chunk.includes("\"type\":\"ready\"")) {
        ready = true;
        clearTimeout(startup);
        deadline = setTimeout(() => kill("timeout", `${name} exceeded the time limit of ${limits.timeMs} ms`), limits.timeMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    child.stdin.on("error", () => undefined); // the child may die before reading: the exit tells why
    child.on("error", (e) => kill("internal-error", `cannot start the sandbox child: ${e.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(startup);
      if (deadline !== undefined) clearTimeout(deadline);
      clearInterval(poll);
      resolve(classify(parseMessages(Buffer.concat(out).toString("utf8")), code, signal));
    });

    const classify = (messages: ChildMessage[], code: number | null, signal: NodeJS.Signals | null): RunResult => {
      if (killedFor !== undefined) {
        const check = killedFor.verdict === "internal-error" ? "INTERNAL" : killedFor.verdict;
        const stopped = stopResult(killedFor.verdict, check, killedFor.message);
        const op = job.progress ? lastProgress(stderrTail) : undefined;
        return op === undefined ? stopped : { ...stopped, failures: [{ ...stopped.failures[0]!, op }] };
      }
      const answer = messages.find((m) => m.type === "result" || m.type === "internal");
      if (answer?.type === "result") return answer.result;
      if (answer?.type === "internal") return stopResult("internal-error", "INTERNAL", answer.message);
      if (OOM_PATTERN.test(stderrTail) || signal === "SIGABRT" || signal === "SIGTRAP") {
        return stopResult("memory-limit", "memory-limit", `${name} exhausted the JavaScript heap (limit ${limits.memoryMb} MiB)`);
      }
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderrTail.trim().split("\n").slice(-6).join("\n");
      return stopResult("internal-error", "INTERNAL", `the sandbox child ${how} without a result${tail ? `:\n${tail}` : ""}`);
    };

    const request: ChildRequest = { mode: "run", job };
    child.stdin.end(JSON.stringify(request));
  });
}

/**
 * Runs jobs with at most `concurrency` children at a time; results come back
 * in the order of `jobs` whatever order the runs finish in.
 */
export async function runPool(
  jobs: readonly RunJob[],
  limits: RunLimits | ((job: RunJob, index: number) => RunLimits),
  concurrency: number,
  options: SandboxOptions = {},
): Promise<RunResult[]> {
  const results = new Array<RunResult>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runIsolated(jobs[i], typeof limits === "function" ? limits(jobs[i], i) : limits, options);
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(concurrency) || 1, jobs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
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
  const dataLimit = (limits.memoryMb + (options.rssAllowanceMb ?? DEFAULT_RSS_ALLOWANCE_MB) + 256) * 1024 * 1024;
  const [cmd, argv] = fs.existsSync(PRLIMIT) ? [PRLIMIT, [`--data=${dataLimit}`, process.execPath, ...args]] : [process.execPath, args];
  const request: ChildRequest = { mode: "inspect", plugin: { code: plugin.code, file: plugin.file, name: plugin.name } };
  const r = spawnSync(cmd, argv, { input: JSON.stringify(request), env: {}, timeout: limits.timeMs + 2000, killSignal: "SIGKILL", maxBuffer: 64 << 20, windowsHide: true });
  const messages = parseMessages(r.stdout?.toString("utf8") ?? "");
  const answer = messages.find((m) => m.type === "inspected" || m.type === "fault" || m.type === "internal");
  if (answer !== undefined) return answer as InspectOutcome;
  const stderr = r.stderr?.toString("utf8") ?? "";
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") return { type: "timeout", timeMs: limits.timeMs };
  if (OOM_PATTERN.test(stderr) || r.signal === "SIGABRT") return { type: "memory-limit", memoryMb: limits.memoryMb };
  const how = r.signal !== null ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
  return { type: "internal", message: `the sandbox child ${how} without an answer${stderr ? `: ${stderr.trim().split("\n").slice(-4).join(" | ")}` : ""}` };
}
