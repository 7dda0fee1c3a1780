/**
 * The sandbox child: bundled into dist/sandbox-child.js and started by the
 * parent under Node's permission model (read access to that one file only).
 * It hardens itself, says `ready`, reads requests from stdin (one JSON line
 * each; the parent sends the next only after an answer), evaluates the
 * plugin(s) of each in realms of their own, and answers with data only.
 */
import "reflect-metadata";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { checkPluginShape, instanceProblems, makeProbe } from "../loader/shape";
import type { PluginKind } from "../../core/sdk/types";
import type { BundledPlugin, RunResult } from "../protocol";
import { PluginFault, setStackFilter } from "./guard";
import { hardenProcess } from "./harden";
import { bundleFilename, type ChildMessage, type ChildRequest, MESSAGE_PREFIX, OUTPUT_PREFIX, PROGRESS_PREFIX } from "./messages";
import { PluginRealm } from "./realm";
import { runJob } from "./replay";
import { inlineSourceLookup, type SourceLookup } from "./sourcemap";

/** The SDK (core/sdk/index.ts) as CommonJS, injected by scripts/build.js. */
declare const __MEMARENA_SDK_CJS__: string;

hardenProcess();

function send(message: ChildMessage, then?: () => void): void {
  process.stdout.write(`${MESSAGE_PREFIX}${JSON.stringify(message)}\n`, then);
}

/** Source lookups per vm file name, for stack lines. */
const lookups = new Map<string, SourceLookup | undefined>();
const STACK_LINE = /^at (?:(.*) \()?plugin-bundle:(.*):(\d+):(\d+)\)?$/;

setStackFilter((line) => {
  const m = STACK_LINE.exec(line);
  if (m === null) return undefined;
  const [, fn, file, l, c] = m;
  const pos = lookups.get(bundleFilename(file))?.(Number(l), Number(c));
  const where = pos !== undefined ? `${pos.source}:${pos.line}:${pos.column}` : `${file}:${l}:${c}`;
  return fn !== undefined ? `at ${fn} (${where})` : `at ${where}`;
});

/** The realms of this run's plugins, in load order (their console output is taken after the run). */
const realms: PluginRealm[] = [];
/** Whether the current job reports its progress: then console lines are streamed to stderr too. */
let streaming = false;

function newRealm(plugin: Pick<BundledPlugin, "code" | "file">): PluginRealm {
  const realm = new PluginRealm();
  realms.push(realm);
  if (streaming) realm.streamOutput((line) => process.stderr.write(`${OUTPUT_PREFIX}${JSON.stringify(line)}\n`));
  realm.installSdk(__MEMARENA_SDK_CJS__);
  lookups.set(bundleFilename(plugin.file), inlineSourceLookup(plugin.code));
  return realm;
}

/** Loads a plugin for a run: its host view, with create() checked against the declared kind. */
function loadForRun(plugin: BundledPlugin): Record<string, unknown> {
  const view = newRealm(plugin).loadPlugin(plugin.code, bundleFilename(plugin.file), plugin.name);
  if (view === null || typeof view !== "object" || typeof (view as Record<string, unknown>).create !== "function") {
    throw new MemarenaError(ErrorCode.INVALID_PLUGIN, `${plugin.file}: default export has no function "create" (kind "${plugin.kind}")`, { file: plugin.file });
  }
  const def = view as Record<string, unknown>;
  const create = def.create as (...a: unknown[]) => unknown;
  const kind: PluginKind = plugin.kind;
  return Object.freeze({
    ...def,
    name: plugin.name,
    kind,
    create(...args: unknown[]): unknown {
      const instance = create(...args);
      const problems = instanceProblems(instance, kind, plugin.file);
      if (problems.length > 0) {
        throw new PluginFault({ plugin: plugin.name, hook: "create", errorName: "TypeError", errorMessage: problems.join("; "), stack: [] });
      }
      return instance;
    },
  });
}

function isAllocationFailure(e: PluginFault): boolean {
  return e.data.errorName === "RangeError" && /Array buffer allocation failed|allocation failed/i.test(e.data.errorMessage);
}

function faultResult(e: PluginFault): RunResult {
  return { verdict: isAllocationFailure(e) ? "memory-limit" : "error", metrics: {}, failures: [e.toFailure()], opsReplayed: e.data.op ?? 0 };
}

function handle(request: ChildRequest): ChildMessage {
  if (request.mode === "inspect") {
    const { plugin } = request;
    try {
      const view = newRealm(plugin).loadPlugin(plugin.code, bundleFilename(plugin.file), plugin.name);
      const probe = makeProbe();
      const shape = checkPluginShape(view, plugin.file, plugin.name, (create) => create(probe.heap, probe.inner));
      return { type: "inspected", shape };
    } catch (e) {
      if (e instanceof PluginFault) return { type: "fault", fault: e.data, memory: isAllocationFailure(e) };
      throw e;
    }
  }
  const { job } = request;
  streaming = job.progress === true;
  let plugin: Record<string, unknown>;
  const withPlugins: Record<string, unknown> = {};
  try {
    plugin = loadForRun(job.plugin);
    for (const [role, p] of Object.entries(job.with ?? {})) withPlugins[role] = loadForRun(p);
  } catch (e) {
    if (e instanceof PluginFault) return { type: "result", result: withOutput(faultResult(e)) };
    if (e instanceof MemarenaError && e.code === ErrorCode.INVALID_PLUGIN) {
      return { type: "result", result: { verdict: "error", metrics: {}, failures: [{ check: ErrorCode.INVALID_PLUGIN, message: e.message }], opsReplayed: 0 } };
    }
    throw e;
  }
  let result: RunResult;
  try {
    result = runJob(job, { main: plugin, with: withPlugins, quiet, progress: job.progress ? reportProgress : undefined });
  } catch (e) {
    if (!(e instanceof PluginFault)) throw e;
    result = faultResult(e);
  }
  return { type: "result", result: withOutput(result) };
}

/**
 * Says which workload op starts, on stderr (a pipe: the write is synchronous
 * on Linux, so the line is out before the op can hang); the parent keeps only
 * the tail of stderr and reads the last such line when it stops a run.
 */
function reportProgress(op: number): void {
  process.stderr.write(`${PROGRESS_PREFIX}${op}\n`);
}

/** Runs `fn` with every realm's console muted (the replica's calls). */
function quiet<T>(fn: () => T): T {
  for (const r of realms) r.setMuted(true);
  try {
    return fn();
  } finally {
    for (const r of realms) r.setMuted(false);
  }
}

/** The result with what the plugins printed (console.*), when they printed anything. */
function withOutput(result: RunResult): RunResult {
  const output = realms.flatMap((r) => r.takeOutput());
  return output.length > 0 ? { ...result, output } : result;
}

/** Answers one request line; then forgets the job's realms, so the next job starts as in a fresh child. */
function answer(line: string): ChildMessage {
  let message: ChildMessage;
  try {
    message = handle(JSON.parse(line) as ChildRequest);
  } catch (e) {
    const text = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    message = { type: "internal", message: `the sandbox child failed: ${text}` };
  }
  realms.length = 0;
  lookups.clear();
  return message;
}

// Requests come one JSON line each (the parent may send another after an answer); a last request
// without its newline is answered when stdin ends, and then the child exits.
let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text: string) => {
  pending += text;
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim() !== "") send(answer(line));
  }
});
process.stdin.on("end", () => {
  const last = pending.trim();
  pending = "";
  if (last !== "") send(answer(last), () => process.exit(0));
  else process.stdout.write("", () => process.exit(0));
});
send({ type: "ready" });
