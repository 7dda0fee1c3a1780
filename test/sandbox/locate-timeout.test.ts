/**
 * A run that times out is run again with each op reported as it starts, so
 * the verdict can name the op the plugin was stuck in (the replay is
 * deterministic: the second run gets stuck in the same place).
 */
import type { Challenge } from "../../graders/challenge/types";
import type { RunJob } from "../../graders/protocol";
import { runIsolated } from "../../graders/sandbox";
import { lastProgress, PROGRESS_PREFIX } from "../../graders/sandbox/messages";
import { fixturePlugin } from "./helpers";

describe("locating a timeout", () => {
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

  it("can be turned off (one run, no op)", async () => {
    const r = await runIsolated(job, limits, { locateTimeouts: false });
    expect(r.verdict).toBe("timeout");
    expect(r.failures[0]!.op).toBeUndefined();
    expect(r.failures[0]!.message).toBe("loop-on-third-malloc exceeded the time limit of 1500 ms");
  }, 30_000);

  it("reads the last complete progress line of a stderr tail, even a torn one", () => {
    expect(lastProgress("")).toBeUndefined();
    expect(lastProgress(`noise\n${PROGRESS_PREFIX}7\n${PROGRESS_PREFIX}12\n`)).toBe(12);
    expect(lastProgress(`${PROGRESS_PREFIX}7\n${PROGRESS_PREFIX}1`)).toBe(7);
    expect(lastProgress(`ss 3\n${PROGRESS_PREFIX}40\nwarning: x\n`)).toBe(40);
  });
});
