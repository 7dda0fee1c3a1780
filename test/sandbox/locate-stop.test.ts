/**
 * A run that times out (or goes over its memory limit) is run again with
 * each op reported as it starts, so the verdict can name the op the plugin
 * was in (the replay is deterministic: the second run stops in the same
 * place).
 */
import type { Challenge } from "../../graders/challenge/types";
import type { RunJob } from "../../graders/protocol";
import { runIsolated } from "../../graders/sandbox";
import { fixturePlugin } from "./helpers";

describe("locating a stopped run", () => {
  const challenge = {
    id: "test/locate",
    subject: "allocator",
    seed: 1,
    workload: {
      ops: [
        { op: "alloc", id: 0, size: 16 },
        { op: "free", id: 0 },
        { op: "alloc", id: 1, size: 32 },
        { op: "alloc", id: 2, size: 48 },
        { op: "free", id: 1 },
      ],
    },
    checks: { alignment: 16 },
  } as unknown as Challenge;
  const job: RunJob = { challenge, plugin: fixturePlugin("hostile/loop-on-third-malloc.ts") };
  const limits = { timeMs: 1500, memoryMb: 128 };

  it("names the op a looping plugin was stuck in, with its text", async () => {
    const r = await runIsolated(job, limits);
    expect(r.verdict).toBe("timeout");
    expect(r.failures[0]).toMatchObject({ check: "timeout", op: 3 });
    expect(r.failures[0]!.message).toBe(
      "loop-on-third-malloc exceeded the time limit of 1500 ms; a second run with the same limit was in op 3 (a 2 48) when its time ran out",
    );
  }, 30_000);

  it("keeps the last console lines of the second run: what the plugin printed while it was stuck", async () => {
    const r = await runIsolated({ ...job, plugin: fixturePlugin("hostile/chatty-loop.ts") }, limits);
    expect(r.verdict).toBe("timeout");
    expect(r.failures[0]).toMatchObject({ check: "timeout", op: 3 });
    const output = r.output ?? [];
    expect(output.length).toBeGreaterThan(3);
    expect(output.length).toBeLessThanOrEqual(50);
    expect(output[output.length - 1]).toMatch(/^still spinning \d+$/);
    // Consecutive: the lines are the last ones printed, in order.
    const n = output.map((l) => Number(/^still spinning (\d+)$/.exec(l)?.[1] ?? NaN)).filter((x) => !Number.isNaN(x));
    expect(n).toHaveLength(output.length);
    expect(n.every((x, i) => i === 0 || x === n[i - 1]! + 1)).toBe(true);
  }, 30_000);

  it("can be turned off (one run, no op)", async () => {
    const r = await runIsolated(job, limits, { locateStops: false });
    expect(r.verdict).toBe("timeout");
    expect(r.failures[0]!.op).toBeUndefined();
    expect(r.failures[0]!.message).toBe("loop-on-third-malloc exceeded the time limit of 1500 ms");
  }, 30_000);

  it("names the op in which a plugin went over its memory limit", async () => {
    const hoarding = { ...job, challenge: { ...challenge, workload: { ops: [{ op: "alloc", id: 0, size: 24 }, { op: "alloc", id: 1, size: 3002 }] } } as unknown as Challenge, plugin: fixturePlugin("hostile/moody.ts") };
    const r = await runIsolated(hoarding, { timeMs: 10_000, memoryMb: 96 });
    expect(r.verdict).toBe("memory-limit");
    expect(r.failures[0]).toMatchObject({ check: "memory-limit", op: 1 });
    expect(r.failures[0]!.message).toMatch(/^moody exceeded the memory limit of 96 MiB \(resident \d+ MiB, allowed 224 MiB with the runtime\); a second run with the same limit was in op 1 \(a 1 3002\) when it went over$/);
  }, 60_000);
});
