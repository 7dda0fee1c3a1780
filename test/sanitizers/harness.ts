/**
 * Runs sanitizer plugins through the real sanitizer replay (`runJob`, subject
 * "sanitizer", wrapping the built-in first-fit allocator), on bug-injection
 * scenarios and on a clean workload. Every challenge is checked against the
 * challenge schema first, so the workloads are ones an instructor could ship
 * (the one exception is marked where it is built).
 */
import type { AllocatorPlugin, SanitizerPlugin } from "memarena";
import firstFit from "../../plugins/allocators/first-fit";
import type { Challenge } from "../../graders/challenge/types";
import { validateChallengeValue } from "../../graders/challenge/validate";
import type { RunResult } from "../../graders/protocol";
import { runJob } from "../../graders/replay/run-job";

/** A workload op as written in a challenge file. */
export type TestOp = Record<string, unknown> & { op: string };

/** What one sanitizer run gave, with per-op reports pulled out of the events. */
export interface SanitizerRun {
  readonly result: RunResult;
  /** Reports made during the ops (not at exit), as [workload op index, kind]. */
  readonly opReports: ReadonlyArray<readonly [number, string]>;
  /** Address returned by each alloc op, by workload op index. */
  readonly allocAddress: ReadonlyMap<number, number>;
}

/**
 * Runs `plugin` on `ops`, wrapping `opts.allocator` (a built-in; default first-fit); `schemaValid: false`
 * skips the schema check (for ops the schema cannot express).
 */
export function runSanitizer(
  plugin: SanitizerPlugin,
  ops: readonly TestOp[],
  opts: { raii?: boolean; machine?: Record<string, unknown>; schemaValid?: boolean; allocator?: AllocatorPlugin } = {},
): SanitizerRun {
  const allocator = opts.allocator ?? firstFit;
  const challenge = {
    id: "test/sanitizer",
    title: "sanitizer test",
    subject: "sanitizer",
    seed: 11,
    workload: { ops, raii: opts.raii ?? false },
    with: { allocator: `builtin:${allocator.name}` },
    checks: { alignment: 16 },
    ...(opts.machine ? { machine: opts.machine } : {}),
  };
  if (opts.schemaValid !== false) {
    const problems = validateChallengeValue(challenge, { file: "test.json", locate: () => undefined });
    expect(problems).toEqual([]);
  }
  const bundled = (name: string, kind: "sanitizer" | "allocator") => ({ name, kind, file: "<test>", sha256: "", code: "" });
  const result = runJob(
    { challenge: challenge as unknown as Challenge, plugin: bundled(plugin.name, "sanitizer"), with: { allocator: bundled(allocator.name, "allocator") }, events: true },
    { main: plugin, with: { allocator } },
  );
  const opReports: [number, string][] = [];
  const allocAddress = new Map<number, number>();
  for (const e of result.events ?? []) {
    const report = e.report as { kind?: string } | null | undefined;
    if (report && typeof report.kind === "string") opReports.push([e.index as number, report.kind]);
    const op = e.op as TestOp | undefined;
    if (op?.op === "alloc" && typeof e.address === "number") allocAddress.set(e.index as number, e.address);
  }
  return { result, opReports, allocAddress };
}

/** A pass-through "sanitizer": the wrapped allocator alone, as a baseline for overheads (the pack's shared rejected reference). */
export { default as passThrough } from "../../challenges/pack/_shared/pass-through";

/** One injected bug: the ops, and the op index that carries the expectation. */
export interface Scenario {
  readonly name: string;
  readonly kind: string;
  readonly ops: readonly TestOp[];
  readonly raii?: boolean;
  /** False for the one scenario the challenge schema cannot express. */
  readonly schemaValid?: boolean;
}

const PAGE = 4096;

/**
 * The bug-injection scenarios, one bug each, so that a bug one sanitizer
 * misses (and the program then suffers) cannot disturb the next scenario.
 * Every block is freed at the end unless the scenario is about that block.
 */
export const SCENARIOS: Record<string, Scenario> = {
  overflow1Aligned: {
    name: "1-byte overflow of a 96-byte block (size a multiple of 16)",
    kind: "overflow",
    ops: [
      { op: "alloc", id: 1, size: 96 },
      { op: "write", id: 1, offset: 0, length: 96 },
      { op: "write", id: 1, offset: 96, length: 1, expect: "overflow" },
      { op: "free", id: 1 },
    ],
  },
  overflow1Slack: {
    name: "1-byte overflow of a 100-byte block (into the alignment slack)",
    kind: "overflow",
    ops: [
      { op: "alloc", id: 1, size: 100 },
      { op: "write", id: 1, offset: 100, length: 1, expect: "overflow" },
      { op: "free", id: 1 },
    ],
  },
  overflowPage: {
    name: "contiguous overrun of a page past a 200-byte block",
    kind: "overflow",
    ops: [
      { op: "alloc", id: 1, size: 200 },
      { op: "alloc", id: 2, size: PAGE },
      { op: "write", id: 1, offset: 0, length: 200 + PAGE, expect: "overflow" },
      { op: "free", id: 2 },
      { op: "free", id: 1 },
    ],
  },
  underflowFirst: {
    name: "1-byte underflow of the first block",
    kind: "underflow",
    ops: [
      { op: "alloc", id: 1, size: 64 },
      { op: "read", id: 1, offset: -1, length: 1, expect: "underflow" },
      { op: "free", id: 1 },
    ],
  },
  underflowSecond: {
    name: "8-byte underflow of the second block",
    kind: "underflow",
    ops: [
      { op: "alloc", id: 1, size: 64 },
      { op: "alloc", id: 2, size: 64 },
      { op: "read", id: 2, offset: -8, length: 8, expect: "underflow" },
      { op: "free", id: 1 },
      { op: "free", id: 2 },
    ],
  },
  uafRead: {
    name: "use-after-free read",
    kind: "use-after-free",
    ops: [
      { op: "alloc", id: 1, size: 48 },
      { op: "write", id: 1, offset: 0, length: 48 },
      { op: "free", id: 1 },
      { op: "read", id: 1, offset: 0, length: 8, expect: "use-after-free" },
    ],
  },
  uafWrite: {
    name: "use-after-free write",
    kind: "use-after-free",
    ops: [
      { op: "alloc", id: 1, size: 48 },
      { op: "free", id: 1 },
      { op: "write", id: 1, offset: 8, length: 4, expect: "use-after-free" },
    ],
  },
  doubleFree: {
    name: "double free",
    kind: "double-free",
    ops: [
      { op: "alloc", id: 1, size: 32 },
      { op: "alloc", id: 2, size: 32 },
      { op: "free", id: 1 },
      { op: "free", id: 1, expect: "double-free" },
      { op: "free", id: 2 },
    ],
  },
  invalidFree: {
    // free(payload + 8): an interior pointer malloc never returned (opFree's `offset`).
    name: "free of a pointer malloc never returned",
    kind: "invalid-free",
    ops: [
      { op: "alloc", id: 1, size: 32 },
      { op: "free", id: 1, offset: 8, expect: "invalid-free" },
      { op: "free", id: 1 },
    ],
  },
  leakOnThrow: {
    name: "leak: a scope throws past the free (raii: false)",
    kind: "leak",
    raii: false,
    ops: [
      { op: "alloc", id: 1, size: 64 },
      { op: "scope", action: "enter" },
      { op: "alloc", id: 2, size: 128, scoped: true, expect: "leak" },
      { op: "write", id: 2, offset: 0, length: 128 },
      { op: "scope", action: "throw" },
      { op: "free", id: 2 },
      { op: "scope", action: "exit" },
      { op: "free", id: 1 },
    ],
  },
};

/** Did the run report the scenario's expected kind (at its op, or at exit for a leak)? */
export function detected(run: SanitizerRun, scenario: Scenario): boolean {
  const at = scenario.ops.findIndex((o) => o.expect !== undefined);
  if (scenario.kind === "leak") return run.result.metrics.truePositives === 1;
  return run.opReports.some(([i, k]) => i === at && k === scenario.kind);
}

/**
 * A clean workload: seeded churn of allocations, in-bounds reads and writes,
 * frees, and scopes with RAII (raii: true, so a `throw` frees what it
 * unwinds). Every block is freed by the end. No op carries an expectation.
 */
export function cleanWorkload(opts: { ops?: number; maxSize?: number; maxLive?: number; seed?: number } = {}): TestOp[] {
  const target = opts.ops ?? 1500;
  const maxSize = opts.maxSize ?? 1024;
  const maxLive = opts.maxLive ?? 40;
  let s = (opts.seed ?? 12345) >>> 0;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const ops: TestOp[] = [];
  const live = new Map<number, number>(); // id -> size (unscoped blocks)
  let nextId = 1;
  const touch = (id: number, size: number) => {
    const offset = rand(size);
    const length = 1 + rand(Math.min(64, size - offset));
    ops.push({ op: rand(2) === 0 ? "read" : "write", id, offset, length });
  };
  while (ops.length < target) {
    const r = rand(10);
    if (r < 4 && live.size < maxLive) {
      const size = 1 + rand(maxSize);
      const id = nextId++;
      ops.push({ op: "alloc", id, size });
      ops.push({ op: "write", id, offset: 0, length: size });
      live.set(id, size);
    } else if (r < 6 && live.size > 0) {
      const ids = [...live.keys()];
      const id = ids[rand(ids.length)];
      ops.push({ op: "free", id });
      live.delete(id);
    } else if (r < 7) {
      // A scope with RAII-owned blocks; half the time it throws out early.
      ops.push({ op: "scope", action: "enter" });
      const scoped: [number, number][] = [];
      for (let k = 0; k < 1 + rand(3); k++) {
        const size = 1 + rand(maxSize);
        const id = nextId++;
        ops.push({ op: "alloc", id, size, scoped: true });
        scoped.push([id, size]);
        touch(id, size);
      }
      if (rand(2) === 0) ops.push({ op: "scope", action: "throw" });
      for (const [id, size] of scoped) touch(id, size);
      ops.push({ op: "scope", action: "exit" });
    } else if (r < 8 && live.size > 0) {
      const ids = [...live.keys()];
      const id = ids[rand(ids.length)];
      const size = 1 + rand(maxSize);
      ops.push({ op: "realloc", id, size });
      live.set(id, size);
      touch(id, size);
    } else if (live.size > 0) {
      const ids = [...live.keys()];
      const id = ids[rand(ids.length)];
      touch(id, live.get(id)!);
    }
  }
  for (const id of live.keys()) ops.push({ op: "free", id });
  return ops;
}

/** Expects a clean run: pass, no report of any kind, no unexplained fault. */
export function expectClean(run: SanitizerRun): void {
  expect(run.result.failures).toEqual([]);
  expect(run.result.verdict).toBe("pass");
  expect(run.opReports).toEqual([]);
  expect(run.result.metrics.falseAlarms).toBe(0);
  expect(run.result.metrics.unexplainedFaults).toBe(0);
}

/** What a sanitizer does with a scenario: reports it, misses it, or misses it and the program then crashes. */
export type Outcome = "caught" | "missed" | "missed, then the wrapped allocator crashes";

/** Runs one scenario and checks the outcome, with exact detection counts. */
export function expectOutcome(plugin: SanitizerPlugin, key: keyof typeof SCENARIOS, outcome: Outcome): SanitizerRun {
  const scenario = SCENARIOS[key];
  const run = runSanitizer(plugin, scenario.ops, { raii: scenario.raii, schemaValid: scenario.schemaValid });
  const m = run.result.metrics;
  expect(m.falseAlarms).toBe(0);
  expect(m.unexplainedFaults).toBe(0);
  if (outcome === "caught") {
    expect(run.result.failures).toEqual([]);
    expect(detected(run, scenario)).toBe(true);
    expect(m.truePositives).toBe(1);
    expect(m.misses).toBe(0);
    expect(run.result.verdict).toBe("pass");
  } else {
    expect(detected(run, scenario)).toBe(false);
    expect(m.truePositives).toBe(0);
    expect(m.misses).toBe(1);
    expect(run.result.verdict).toBe(outcome === "missed" ? "fail" : "error");
  }
  return run;
}
