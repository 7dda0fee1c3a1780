/** Results documents for reporter and leaderboard tests. */
import type { ChallengeResult, ResultsDocument } from "../../graders/results";

/** A message with every character XML must escape, a line break and a tab. */
export const NASTY_MESSAGE = `overlap: block <a> & "b" overlaps 'c'\n  [0x1000, 0x1040) vs [0x1020, 0x1060)\tend`;

/** A string that must never reach a student's eyes. */
export const SECRET = "SECRET-hidden-detail";

/** A challenge result with sensible defaults. */
export function challenge(over: Partial<ChallengeResult> & { id: string }): ChallengeResult {
  return {
    verdict: "pass",
    score: 100,
    maxScore: 100,
    metrics: {},
    failures: [],
    wallMs: 10,
    ...over,
  };
}

/** A document over the given challenges; total is their sum unless given. */
export function makeDoc(name: string, challenges: readonly ChallengeResult[], over: Partial<ResultsDocument> = {}): ResultsDocument {
  return {
    schemaVersion: 1,
    grader: { version: "0.1.0" },
    submission: { name, kind: "allocator", file: `${name}.ts`, sha256: "ab".repeat(32) },
    challengePack: { sha256: "cd".repeat(32), count: challenges.length },
    challenges,
    total: {
      score: challenges.reduce((s, c) => s + c.score, 0),
      maxScore: challenges.reduce((s, c) => s + c.maxScore, 0),
    },
    ...over,
  };
}

/** One challenge of each verdict, a hidden failing one with secrets, and the nasty message. */
export function classDoc(name = "my-first-fit"): ResultsDocument {
  return makeDoc(name, [
    challenge({
      id: "heap/coalescing",
      title: "Coalescing under churn",
      topic: "heap",
      visibility: "public",
      score: 87.5,
      metrics: { utilization: 0.91, tlbMissRate: 0.012, cyclesPerOp: 412.3, pageWalkSteps: 17 },
      wallMs: 812,
    }),
    challenge({
      id: "heap/overlap",
      verdict: "fail",
      score: 0,
      metrics: { utilization: 0.5 },
      failures: [
        { op: 1234, check: "overlap", message: NASTY_MESSAGE },
        { op: 1300, check: "alignment", message: "second failure: payload 0x1008 not 16-aligned" },
      ],
      wallMs: 45,
    }),
    challenge({
      id: "heap/secret",
      title: "Hidden stress",
      topic: "stress-topic-secret",
      visibility: "hidden",
      verdict: "fail",
      score: 20,
      metrics: { utilization: 0.123456 },
      failures: [{ op: 7, check: "payloadIntegrity", message: `${SECRET}: bytes changed at 0x2000` }],
      wallMs: 33,
      series: { heapBytes: [1, 2, 3] },
    }),
    challenge({
      id: "dma/bounce",
      topic: "dma",
      verdict: "error",
      score: 0,
      failures: [{ op: 3, check: "PLUGIN_THREW", message: "my-first-fit.malloc threw TypeError at op 3 (`a 1 16`)" }],
    }),
    challenge({ id: "tlb/loop", verdict: "timeout", score: 0, failures: [{ check: "TIMEOUT", message: "ran past 20000 ms" }] }),
    challenge({ id: "heap/huge", verdict: "memory-limit", score: 0, failures: [] }),
    challenge({ id: "frames", verdict: "internal-error", score: 0, failures: [{ check: "INTERNAL", message: "grader bug" }] }),
  ]);
}

/** Freezes a value and everything in it, so a reporter that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
