/**
 * A sandbox child process that runs jobs one after another. A fresh process
 * costs Node's start-up (here ~120 ms, more than most runs); a submission
 * graded on a whole pack would pay it for every challenge. So the jobs of one
 * submission (the same plugins, the same memory limit) may share a child:
 * each job still gets fresh realms for its plugins, a fresh machine and its
 * own time limit, and the child is reused only when the job ended normally
 * (no timeout, no memory limit, no internal error) and its resident set is
 * still within REUSE_SLACK_MB of what it was when it started, so that no job
 * starts in a child fuller than a fresh one by more than the runtime
 * allowance covers. A job's result is the same in a fresh or a reused child
 * (tested): nothing of a job survives it but the machine's zeroed chunk pool.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { RunJob, RunResult } from "../protocol";
import { type ChildMessage, type ChildRequest, OUTPUT_PREFIX, parseMessageLine, PROGRESS_PREFIX } from "./messages";

/** Limits of one run. */
export interface RunLimits {
  /** Wall-clock budget from the moment the child has the job (plugin loading included). */
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
  /** Re-run a job that timed out or went over its memory limit, reporting each op, to name the op it was in (default true). */
  readonly locateStops?: boolean;
  /** Let the jobs of one submission share a child (runPool, SandboxLane; default true). */
  readonly reuseChildren?: boolean;
  /** Called with each child process started (tests count them). */
  readonly onSpawn?: (pid: number | undefined) => void;
}

const DEFAULT_POLL_MS = 15;
/** Resident memory allowed above a job's memory limit for Node itself and the grader's code. */
const DEFAULT_RSS_ALLOWANCE_MB = 128;
const DEFAULT_STARTUP_MS = 20_000;
/** Kept of a child's stderr (progress and console lines apart): room for Node's out-of-memory report. */
const STDERR_TAIL = 16_384;
/**
 * Why a child exited without an answer: out of JavaScript heap (what Node
 * prints, or the abort it dies of), or a crash, told with its signal or
 * code and the end of its stderr.
 */
export function classifyExit(stderr: string, code: number | null, signal: NodeJS.Signals | null): { kind: "memory-limit" } | { kind: "crash"; how: string; tail: string } {
  if (OOM_PATTERN.test(stderr) || signal === "SIGABRT" || signal === "SIGTRAP") return { kind: "memory-limit" };
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  return { kind: "crash", how, tail: stderr.trim().split("\n").slice(-6).join("\n") };
}

/** The resident-set cap of a run: its memory limit plus the runtime allowance. */
export function rssLimitMb(memoryMb: number, options: SandboxOptions): number {
  return memoryMb + (options.rssAllowanceMb ?? DEFAULT_RSS_ALLOWANCE_MB);
}

/** What Node prints on stderr when a child runs out of JavaScript heap. */
const OOM_PATTERN = /heap out of memory|Reached heap limit|Allocation failed|out of memory/i;
/** Console lines kept of a stopped run (its last ones). */
const STOPPED_OUTPUT_LINES = 50;
/** Growth of the resident set, since the child was ready, up to which it takes another job. */
const REUSE_SLACK_MB = 48;

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

/** A result that stops a run before the plugin answered. */
export function stopResult(verdict: RunResult["verdict"], check: string, message: string): RunResult {
  return { verdict, metrics: {}, failures: [{ check, message }], opsReplayed: 0 };
}

/** Resident set size of a process in MiB, or undefined when it is gone. */
export function residentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

type Stop = { verdict: "timeout" | "memory-limit" | "internal-error"; message: string };

/** The job a child is running. */
interface Current {
  readonly job: RunJob;
  readonly limits: RunLimits;
  readonly resolve: (r: RunResult) => void;
  deadline?: NodeJS.Timeout;
  poll?: NodeJS.Timeout;
  stop?: Stop;
}

/** One sandbox child process; runs one job at a time, possibly many in turn. */
export class SandboxChild {
  /** The heap cap the child was started with: only jobs with this memory limit may run in it. */
  readonly memoryMb: number;
  private readonly child: ChildProcess;
  private readonly options: SandboxOptions;
  private stdout = "";
  /** The end of stderr, without progress and console lines (for Node's own reports). */
  private stderrTail = "";
  /** An incomplete last stderr line. */
  private stderrLine = "";
  /** The current job's last reported op (progress) and last streamed console lines. */
  private lastOp: number | undefined;
  private streamed: string[] = [];
  private ready = false;
  private closed = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  private current: Current | undefined;
  private startup: NodeJS.Timeout | undefined;
  /** Resident set when the child said ready. */
  private baseRssMb: number | undefined;
  /** Whether the last job ended so that another may follow in this child. */
  private reusable = true;

  constructor(bundle: string, memoryMb: number, options: SandboxOptions) {
    this.memoryMb = memoryMb;
    this.options = options;
    this.child = spawn(process.execPath, sandboxArgs(bundle, memoryMb), { stdio: ["pipe", "pipe", "pipe"], env: {}, windowsHide: true });
    options.onSpawn?.(this.child.pid);
    const startupMs = options.startupMs ?? DEFAULT_STARTUP_MS;
    this.startup = setTimeout(() => this.stop({ verdict: "internal-error", message: `the sandbox child did not start within ${startupMs} ms` }), startupMs);
    this.child.stdout!.on("data", (chunk: Buffer) => this.onStdout(chunk.toString("utf8")));
    this.child.stderr!.on("data", (chunk: Buffer) => this.onStderr(chunk.toString("utf8")));
    this.child.stdin!.on("error", () => undefined); // the child may die before reading: the exit tells why
    this.child.on("error", (e) => this.stop({ verdict: "internal-error", message: `cannot start the sandbox child: ${e.message}` }));
    this.child.on("close", (code, signal) => {
      this.closed = true;
      this.exit = { code, signal };
      if (this.startup !== undefined) clearTimeout(this.startup);
      const c = this.current;
      if (c !== undefined) this.finish(this.classifyExit(c));
    });
  }

  /** True when another job with `memoryMb` may run here. */
  canTake(memoryMb: number): boolean {
    return !this.closed && this.reusable && this.current === undefined && memoryMb === this.memoryMb;
  }

  /** Runs one job; never rejects. The child must be free (canTake). */
  run(job: RunJob, limits: RunLimits): Promise<RunResult> {
    if (!this.canTake(limits.memoryMb)) return Promise.resolve(stopResult("internal-error", "INTERNAL", "the sandbox child cannot take this job"));
    return new Promise<RunResult>((resolve) => {
      const current: Current = { job, limits, resolve };
      this.current = current;
      this.stderrTail = "";
      this.lastOp = undefined;
      this.streamed = [];
      const rssCapMb = rssLimitMb(limits.memoryMb, this.options);
      current.poll = setInterval(() => {
        const mb = this.child.pid === undefined ? undefined : residentMb(this.child.pid);
        if (mb !== undefined && mb > rssCapMb) {
          this.stop({
            verdict: "memory-limit",
            message: `${job.plugin.name} exceeded the memory limit of ${limits.memoryMb} MiB (resident ${Math.round(mb)} MiB, allowed ${rssCapMb} MiB with the runtime)`,
          });
        }
      }, this.options.pollMs ?? DEFAULT_POLL_MS);
      if (this.ready) this.startClock(current);
      const request: ChildRequest = { mode: "run", job };
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Lets the child finish and exit (it reads no more jobs). */
  close(): void {
    if (!this.closed) this.child.stdin!.end();
  }

  private startClock(c: Current): void {
    c.deadline = setTimeout(() => this.stop({ verdict: "timeout", message: `${c.job.plugin.name} exceeded the time limit of ${c.limits.timeMs} ms` }), c.limits.timeMs);
  }

  /** Stops the current job (or the start-up) with a verdict: the child is killed. */
  private stop(reason: Stop): void {
    this.reusable = false;
    if (this.current !== undefined) this.current.stop ??= reason;
    // The exit finishes the job (see the close handler); a child already gone finishes it here.
    if (!this.closed) this.child.kill("SIGKILL");
    else if (this.current !== undefined) this.finish(this.classifyExit(this.current));
  }

  /** Progress and console lines are taken as they come (a busy plugin can print far more than a tail holds); the rest is kept as a tail. */
  private onStderr(text: string): void {
    const lines = (this.stderrLine + text).split("\n");
    this.stderrLine = lines.pop()!;
    let other = "";
    for (const line of lines) {
      if (line.startsWith(PROGRESS_PREFIX)) {
        const op = Number(line.slice(PROGRESS_PREFIX.length));
        if (Number.isSafeInteger(op)) this.lastOp = op;
      } else if (line.startsWith(OUTPUT_PREFIX)) {
        try {
          const out: unknown = JSON.parse(line.slice(OUTPUT_PREFIX.length));
          if (typeof out === "string") {
            this.streamed.push(out);
            if (this.streamed.length > 2 * STOPPED_OUTPUT_LINES) this.streamed = this.streamed.slice(-STOPPED_OUTPUT_LINES);
          }
        } catch {
          // not a line the child wrote whole
        }
      } else {
        other += `${line}\n`;
      }
    }
    if (other !== "") this.stderrTail = (this.stderrTail + other).slice(-STDERR_TAIL);
  }

  private onStdout(text: string): void {
    this.stdout += text;
    let nl: number;
    while ((nl = this.stdout.indexOf("\n")) >= 0) {
      const message = parseMessageLine(this.stdout.slice(0, nl));
      this.stdout = this.stdout.slice(nl + 1);
      if (message !== undefined) this.onMessage(message);
    }
  }

  private onMessage(message: ChildMessage): void {
    if (message.type === "ready") {
      this.ready = true;
      if (this.startup !== undefined) clearTimeout(this.startup);
      this.startup = undefined;
      this.baseRssMb = this.child.pid === undefined ? undefined : residentMb(this.child.pid);
      if (this.current !== undefined && this.current.deadline === undefined) this.startClock(this.current);
      return;
    }
    const c = this.current;
    if (c === undefined || c.stop !== undefined) return;
    if (message.type === "result") {
      this.finish(message.result);
    } else if (message.type === "internal") {
      this.reusable = false;
      this.finish(stopResult("internal-error", "INTERNAL", message.message));
    }
  }

  private finish(result: RunResult): void {
    const c = this.current;
    if (c === undefined) return;
    this.current = undefined;
    if (c.deadline !== undefined) clearTimeout(c.deadline);
    if (c.poll !== undefined) clearInterval(c.poll);
    if (this.reusable && !this.closed) {
      const rss = this.child.pid === undefined ? undefined : residentMb(this.child.pid);
      this.reusable = rss !== undefined && this.baseRssMb !== undefined && rss - this.baseRssMb <= REUSE_SLACK_MB;
    }
    c.resolve(result);
  }

  /** The result of a job whose child exited (or was killed) before answering. */
  private classifyExit(c: Current): RunResult {
    this.reusable = false;
    // A stopped run that reported its ops (progress) names the op it was in, and keeps the last console lines it streamed.
    const at = (r: RunResult): RunResult => {
      if (!c.job.progress) return r;
      const op = this.lastOp;
      const output = this.streamed.slice(-STOPPED_OUTPUT_LINES);
      return { ...r, ...(output.length > 0 ? { output } : {}), failures: op === undefined ? r.failures : [{ ...r.failures[0]!, op }] };
    };
    if (c.stop !== undefined) {
      const check = c.stop.verdict === "internal-error" ? "INTERNAL" : c.stop.verdict;
      return at(stopResult(c.stop.verdict, check, c.stop.message));
    }
    const exit = classifyExit(this.stderrTail, this.exit.code, this.exit.signal);
    if (exit.kind === "memory-limit") {
      return at(stopResult("memory-limit", "memory-limit", `${c.job.plugin.name} exhausted the JavaScript heap (limit ${c.limits.memoryMb} MiB)`));
    }
    return stopResult("internal-error", "INTERNAL", `the sandbox child ${exit.how} without a result${exit.tail ? `:\n${exit.tail}` : ""}`);
  }
}
