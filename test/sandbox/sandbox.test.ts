/** runIsolated / runPool: results, ordering, and crashes that are not the student's fault. */
import fs from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT, runIsolated, runPool, type RunLimits } from "../../graders/sandbox";
import { fixturePlugin, standInChild, standInJob } from "./helpers";

const LIMITS: RunLimits = { timeMs: 10_000, memoryMb: 128 };

describe("runIsolated", () => {
  const childBundle = standInChild();

  it("runs a plugin and returns the replay's result as data", async () => {
    const r = await runIsolated(standInJob(fixturePlugin("good/bump.ts"), { ops: 50 }), LIMITS, { childBundle });
    expect(r).toEqual({ verdict: "pass", metrics: { ops: 50, checksum: expect.any(Number), heapBytes: expect.any(Number) }, failures: [], opsReplayed: 50 });
  });

  it("runs class-based plugins (methods on a prototype, state on `this`)", async () => {
    const [a, b] = await Promise.all([
      runIsolated(standInJob(fixturePlugin("good/class-based.ts")), LIMITS, { childBundle }),
      runIsolated(standInJob(fixturePlugin("good/bump.ts")), LIMITS, { childBundle }),
    ]);
    expect(a).toEqual(b);
  });

  it("a grader bug inside the child is internal-error, never the student's", async () => {
    const r = await runIsolated(standInJob(fixturePlugin("good/bump.ts"), { crash: true }), LIMITS, { childBundle });
    expect(r.verdict).toBe("internal-error");
    expect(r.failures[0]).toMatchObject({ check: "INTERNAL", message: expect.stringMatching(/stand-in replay: a deliberate grader bug/) });
  });

  it("a child that dies without answering, or answers garbage, is internal-error", async () => {
    const dir = path.join(PACKAGE_ROOT, "dist", "test");
    fs.mkdirSync(dir, { recursive: true });
    const dies = path.join(dir, `dies.${process.pid}.js`);
    const garbage = path.join(dir, `garbage.${process.pid}.js`);
    fs.writeFileSync(dies, 'process.stdout.write("@@memarena {\\"type\\":\\"ready\\"}\\n"); process.exit(3);');
    fs.writeFileSync(garbage, 'process.stdout.write("@@memarena {\\"type\\":\\"ready\\"}\\n@@memarena {not json\\n");');
    try {
      const good = standInJob(fixturePlugin("good/bump.ts"));
      const [a, b, c] = await Promise.all([
        runIsolated(good, LIMITS, { childBundle: dies }),
        runIsolated(good, LIMITS, { childBundle: garbage }),
        runIsolated(good, LIMITS, { childBundle }),
      ]);
      expect(a).toMatchObject({ verdict: "internal-error", failures: [{ check: "INTERNAL", message: expect.stringMatching(/exited with code 3 without a result/) }] });
      expect(b).toMatchObject({ verdict: "internal-error", failures: [{ check: "INTERNAL" }] });
      expect(c.verdict).toBe("pass");
    } finally {
      fs.rmSync(dies, { force: true });
      fs.rmSync(garbage, { force: true });
    }
  });

  it("an invalid plugin that reached the sandbox anyway is an error naming the file", async () => {
    const bad = { ...fixturePlugin("bad/no-malloc.ts"), name: "no-malloc" };
    const r = await runIsolated(standInJob(bad), LIMITS, { childBundle });
    expect(r.verdict).toBe("error");
    expect(r.failures[0].message).toMatch(/no-malloc\.create threw TypeError: no-malloc\.ts: default export has no function "malloc" \(kind "allocator"\)/);
  });
});

describe("runPool", () => {
  it("keeps the order of the jobs whatever order they finish in", async () => {
    const childBundle = standInChild();
    const slow = standInJob(fixturePlugin("good/bump.ts"), { ops: 20_000 });
    const jobs = [slow, ...[1, 2, 3, 4, 5].map((n) => standInJob(fixturePlugin("good/bump.ts"), { ops: n }))];
    const results = await runPool(jobs, LIMITS, 3, { childBundle });
    expect(results.map((r) => r.opsReplayed)).toEqual([20_000, 1, 2, 3, 4, 5]);
    expect(results.every((r) => r.verdict === "pass")).toBe(true);
  });
});
