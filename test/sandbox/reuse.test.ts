/**
 * A submission's jobs may share a sandbox child (session.ts): the results
 * must be exactly those of a fresh child per job, and a job that times out or
 * runs out of memory must leave the next job a fresh child.
 */
import path from "node:path";
import type { Challenge } from "../../graders/challenge/types";
import type { RunJob, RunResult } from "../../graders/protocol";
import { runIsolated, runPool, type SandboxOptions } from "../../graders/sandbox";
import { FIXTURES as CLI_FIXTURES } from "../cli/cli";
import { loadChallengeFile } from "../../graders/challenge/load";
import { buildJob } from "../../graders/grade";
import { fixturePlugin } from "./helpers";

const small = loadChallengeFile(path.join(CLI_FIXTURES, "challenges", "small.json"));
/** Two allocs, the second of `size` (and frees): 3001 makes moody spin, 3002 exhaust memory, 3003 keep 64 MiB. */
function tiny(id: string, size: number): RunJob["challenge"] {
  return {
    id,
    subject: "allocator",
    seed: 5,
    workload: { ops: [{ op: "alloc", id: 0, size: 24 }, { op: "alloc", id: 1, size }, { op: "free", id: 0 }, { op: "free", id: 1 }] },
    checks: { alignment: 16 },
  } as unknown as Challenge;
}

const limits = { timeMs: 3000, memoryMb: 96 };
const strip = (r: RunResult): string => JSON.stringify(r);

describe("sandbox children shared by a submission's jobs", () => {
  it("give every job the result a fresh child gives, and start one child for a run of well-behaved jobs", async () => {
    const bump = fixturePlugin("good/bump.ts");
    const jobs = [buildJob(small, bump), { challenge: tiny("t/a", 40), plugin: bump }, buildJob(small, bump), { challenge: tiny("t/b", 64), plugin: bump }];
    let spawned = 0;
    const shared = await runPool(jobs, limits, 1, { onSpawn: () => spawned++ });
    expect(spawned).toBe(1);
    const fresh = await Promise.all(jobs.map((j) => runIsolated(j, limits)));
    expect(shared.map(strip)).toEqual(fresh.map(strip));
    expect(shared.every((r) => r.verdict === "pass")).toBe(true);
  }, 60_000);

  it("start a fresh child after a job that timed out or hit the memory limit, and after a change of submission", async () => {
    const moody = fixturePlugin("hostile/moody.ts");
    const bump = fixturePlugin("good/bump.ts");
    const jobs = [
      buildJob(small, moody), // child 1
      { challenge: tiny("t/spin", 3001), plugin: moody }, // child 1 again: times out (a fresh child then locates the op)
      buildJob(small, moody), // child 2
      { challenge: tiny("t/hoard", 3002), plugin: moody }, // child 2 again: memory limit (located likewise)
      buildJob(small, moody), // child 3
      buildJob(small, bump), // another submission: child 4
    ];
    const spawns: (number | undefined)[] = [];
    const options: SandboxOptions = { onSpawn: (pid) => spawns.push(pid) };
    const shared = await runPool(jobs, limits, 1, options);
    expect(shared.map((r) => r.verdict)).toEqual(["pass", "timeout", "pass", "memory-limit", "pass", "pass"]);
    expect(shared[1]!.failures[0]).toMatchObject({ check: "timeout", op: 1 });
    expect(shared[3]!.failures[0]).toMatchObject({ check: "memory-limit", op: 1 });
    expect(spawns).toHaveLength(6); // four children for the jobs, one each to locate the timeout and the memory limit
    const alone = await runIsolated(buildJob(small, moody), limits);
    for (const i of [0, 2, 4]) expect(strip(shared[i]!)).toBe(strip(alone));
  }, 120_000);

  it("start a fresh child after a job that left the child's memory grown (the next job must not start fuller)", async () => {
    const moody = fixturePlugin("hostile/moody.ts");
    const jobs = [{ challenge: tiny("t/keep", 3003), plugin: moody }, buildJob(small, moody)];
    let spawned = 0;
    const shared = await runPool(jobs, limits, 1, { onSpawn: () => spawned++ });
    expect(shared.map((r) => r.verdict)).toEqual(["pass", "pass"]);
    expect(spawned).toBe(2);
  }, 60_000);
});
