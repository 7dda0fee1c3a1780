/**
 * Hostile submissions (DESIGN.md §8). Each misbehaving plugin runs in the same
 * batch as a well-behaved one, interleaved, two children at a time; each must
 * get its verdict with a clear message, and every run of the good plugin must
 * give exactly the result it gives alone.
 */
import fs from "node:fs";
import path from "node:path";
import type { RunJob, RunResult } from "../../graders/protocol";
import { runIsolated, runPool, type RunLimits, type SandboxOptions } from "../../graders/sandbox";
import { fixturePlugin, standInChild, standInJob } from "./helpers";

const WRITE_MARKER = "/tmp/memarena-hostile-write.marker";
const SPAWN_MARKER = "/tmp/memarena-hostile-spawn.marker";
const HIDDEN = "/tmp/memarena-hidden-challenge.json";

const FAST: RunLimits = { timeMs: 4000, memoryMb: 64 };
/** Memory hogs get time enough to reach the limit on a slow, shared machine (faulting in 64 MiB takes ~0.5 s here). */
const ROOMY: RunLimits = { timeMs: 45_000, memoryMb: 64 };

interface Case {
  readonly fixture: string;
  readonly verdict: RunResult["verdict"];
  readonly check: string;
  readonly message: RegExp;
  readonly limits?: RunLimits;
  readonly after?: () => void;
}

const CASES: readonly Case[] = [
  { fixture: "loop-in-malloc.ts", verdict: "timeout", check: "timeout", message: /^loop-in-malloc exceeded the time limit of 4000 ms$/ },
  { fixture: "loop-at-load.ts", verdict: "timeout", check: "timeout", message: /^loop-at-load exceeded the time limit/ },
  { fixture: "recursion.ts", verdict: "error", check: "PLUGIN_THREW", message: /^recursion\.malloc threw RangeError: Maximum call stack size exceeded \(unbounded recursion\?\) at op 0 \(a 0 16\)$/ },
  { fixture: "throws-string.ts", verdict: "error", check: "PLUGIN_THREW", message: /^throws-string\.malloc threw a non-Error value: "out of cheese" at op 0/ },
  { fixture: "returns-nan.ts", verdict: "fail", check: "invalidReturn", message: /returns-nan\.malloc\(16\) returned NaN/ },
  { fixture: "returns-negative.ts", verdict: "fail", check: "invalidReturn", message: /returns-negative\.malloc\(16\) returned -16/ },
  { fixture: "returns-fraction.ts", verdict: "fail", check: "invalidReturn", message: /returns-fraction\.malloc\(16\) returned 16\.5/ },
  { fixture: "arraybuffers.ts", verdict: "memory-limit", check: "memory-limit", message: /^arraybuffers exceeded the memory limit of 64 MiB \(resident \d+ MiB/, limits: ROOMY },
  { fixture: "huge-array.ts", verdict: "memory-limit", check: "memory-limit", message: /^huge-array (exhausted the JavaScript heap|exceeded the memory limit of 64 MiB)/, limits: ROOMY },
  { fixture: "process-exit.ts", verdict: "error", check: "PLUGIN_THREW", message: /^process-exit\.malloc threw ReferenceError: process is not defined at op 0/ },
  {
    fixture: "write-file.ts",
    verdict: "error",
    check: "PLUGIN_THREW",
    message: /^write-file\.malloc threw Error: require\("fs"\) is not allowed/,
    after: () => expect(fs.existsSync(WRITE_MARKER)).toBe(false),
  },
  {
    fixture: "spawn-process.ts",
    verdict: "error",
    check: "PLUGIN_THREW",
    message: /^spawn-process\.malloc threw Error: require\("child_process"\) is not allowed/,
    after: () => expect(fs.existsSync(SPAWN_MARKER)).toBe(false),
  },
  { fixture: "open-socket.ts", verdict: "error", check: "PLUGIN_THREW", message: /^open-socket\.malloc threw Error: require\("net"\) is not allowed/ },
  { fixture: "read-hidden.ts", verdict: "error", check: "PLUGIN_THREW", message: /^read-hidden\.malloc threw Error: require\("node:fs"\) is not allowed/ },
  { fixture: "mutate-globals.ts", verdict: "pass", check: "", message: /^$/ },
  {
    fixture: "escape.ts",
    verdict: "error",
    check: "PLUGIN_THREW",
    message: /^escape\.malloc threw Error: no escape \(heap\.constructor: EvalError; heap\.sbrk\.constructor: EvalError; registers: EvalError; hugePageSizes: EvalError; globalThis: EvalError; this: EvalError; prepareStackTrace: got undefined; caller: TypeError; import\(\): got object\)/,
  },
  { fixture: "escape-host-error.ts", verdict: "error", check: "PLUGIN_THREW", message: /^escape-host-error\.malloc threw FakeHeapFault: fake heap fault/ },
];

describe("hostile submissions", () => {
  // Locating the op of a timeout (a second run) is tested in locate-stop.test.ts, with the real replay.
  const options: SandboxOptions = { childBundle: standInChild(), rssAllowanceMb: 64, locateStops: false };
  const good = fixturePlugin("good/bump.ts");
  const probe = fixturePlugin("good/probe-globals.ts");
  let baseline: RunResult;
  let probeBaseline: RunResult;
  const results = new Map<string, { hostile: RunResult; good: RunResult[]; probeAfter?: RunResult }>();

  beforeAll(async () => {
    for (const f of [WRITE_MARKER, SPAWN_MARKER]) fs.rmSync(f, { force: true });
    fs.writeFileSync(HIDDEN, JSON.stringify({ id: "hidden/secret", answer: 42 }));
    [baseline, probeBaseline] = await Promise.all([runIsolated(standInJob(good), FAST, options), runIsolated(standInJob(probe), FAST, options)]);
    // hostile, good, hostile, good, ...; the globals probe runs right after the polluter.
    const jobs: { job: RunJob; limits: RunLimits; tag: string; role: "hostile" | "good" | "probe" }[] = [];
    for (const c of CASES) {
      jobs.push({ job: standInJob(fixturePlugin(`hostile/${c.fixture}`)), limits: c.limits ?? FAST, tag: c.fixture, role: "hostile" });
      if (c.fixture === "mutate-globals.ts") jobs.push({ job: standInJob(probe), limits: FAST, tag: c.fixture, role: "probe" });
      jobs.push({ job: standInJob(good), limits: FAST, tag: c.fixture, role: "good" });
    }
    const out = await runPool(
      jobs.map((j) => j.job),
      (_job, i) => jobs[i].limits,
      2,
      options,
    );
    jobs.forEach((j, i) => {
      const entry = results.get(j.tag) ?? { hostile: undefined as unknown as RunResult, good: [] };
      if (j.role === "hostile") entry.hostile = out[i];
      else if (j.role === "probe") entry.probeAfter = out[i];
      else entry.good.push(out[i]);
      results.set(j.tag, entry);
    });
  }, 240_000);

  afterAll(() => {
    fs.rmSync(HIDDEN, { force: true });
  });

  it("the well-behaved plugins pass alone", () => {
    expect(baseline).toMatchObject({ verdict: "pass", opsReplayed: 200, failures: [] });
    expect(probeBaseline).toMatchObject({ verdict: "pass", opsReplayed: 200 });
  });

  it.each(CASES.map((c) => [c.fixture, c] as const))("%s", (_name, c) => {
    const r = results.get(c.fixture)!;
    expect(r.hostile.verdict).toBe(c.verdict);
    if (c.verdict === "pass") {
      expect(r.hostile.failures).toEqual([]);
    } else {
      expect(r.hostile.failures).toHaveLength(1);
      expect(r.hostile.failures[0].check).toBe(c.check);
      expect(r.hostile.failures[0].message).toMatch(c.message);
    }
    expect(r.hostile.metrics).not.toHaveProperty("escaped");
    c.after?.();
    // The good plugin in the same batch is untouched.
    expect(r.good).toHaveLength(1);
    expect(r.good[0]).toEqual(baseline);
  });

  it("a run after one that polluted every global it could reach sees none of it", () => {
    expect(results.get("mutate-globals.ts")!.probeAfter).toEqual(probeBaseline);
  });

  it("stack lines name the student's own files and lines", () => {
    const data = results.get("recursion.ts")!.hostile.failures[0].data as { stack: string[] };
    expect(data.stack.length).toBeGreaterThan(0);
    expect(data.stack[0]).toMatch(/^at depth \(recursion\.ts:3:\d+\)$/);
  });
});
