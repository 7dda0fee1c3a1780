/**
 * Crash safety (DESIGN.md §9): a child process records entries in a loop and
 * is SIGKILLed at seeded random moments, from its start-up (opening and
 * migrating) to the middle of commits. After each kill the file must pass
 * `PRAGMA integrity_check`, every row must be whole, the number of entries
 * must never go down, and every entry the child was told was committed must
 * be there.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { buildSync } from "esbuild";
import { createRng } from "../../core/random";
import { Leaderboard } from "../../graders/leaderboard";

const ROOT = path.resolve(__dirname, "../..");
const KILLS = 20;

/** The child: opens the leaderboard and records entries of varied size until killed; prints each committed id. */
const CHILD = `
import { Leaderboard } from "./index";
const [file, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const lb = new Leaderboard(file!);
process.stdout.write("ready\\n");
for (let i = 0; ; i++) {
  const n = 1 + ((i * 7 + seed) % 40);
  const challenges = Array.from({ length: n }, (_, k) => ({
    id: "heap/c" + k,
    verdict: k % 3 === 0 ? ("fail" as const) : ("pass" as const),
    score: (k * 13 + i) % 101,
    maxScore: 100,
    metrics: { utilization: ((k + i) % 100) / 100, cyclesPerOp: k * 3.5 },
    failures: k % 3 === 0 ? [{ op: k, check: "overlap", message: "x".repeat(500 + ((k * i) % 3000)) }] : [],
    wallMs: k,
  }));
  const doc = {
    schemaVersion: 1,
    grader: { version: "0.1.0" },
    submission: { name: "sub-" + (i % 7), kind: "allocator" as const, file: "a.ts", sha256: "ab".repeat(32) },
    challenges,
    total: { score: challenges.reduce((s, c) => s + c.score, 0), maxScore: 100 * n },
  };
  const id = lb.record(doc, { submitter: "student-" + ((seed + i) % 5) });
  process.stdout.write(id + "\\n");
}
`;

interface Round {
  committed: number[];
  sawReady: boolean;
}

/** Runs the child, kills it `delayMs` after it starts (or after it is ready), and reports what it said it committed. */
function runAndKill(script: string, file: string, seed: number, delayMs: number, afterReady: boolean): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, file, String(seed)], {
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    const safety = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const kill = (): void => {
      timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    };
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const wasReady = out.includes("ready\n");
      out += chunk;
      if (afterReady && !wasReady && out.includes("ready\n")) kill();
    });
    child.stderr.on("data", (chunk: string) => (err += chunk));
    if (!afterReady) kill();
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(safety);
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== "SIGKILL") {
        reject(new Error(`child ended by itself (code ${code}): ${err}`));
        return;
      }
      const lines = out.split("\n");
      resolve({
        sawReady: lines.includes("ready"),
        committed: lines.filter((l) => /^\d+$/.test(l)).map(Number),
      });
    });
  });
}

describe("leaderboard crash safety", () => {
  let dir: string;
  let script: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-crash-"));
    script = path.join(dir, "child.js");
    buildSync({
      stdin: { contents: CHILD, resolveDir: path.join(ROOT, "graders/leaderboard"), loader: "ts", sourcefile: "child.ts" },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      packages: "external",
      outfile: script,
      logLevel: "silent",
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`stays consistent across ${KILLS} SIGKILLs at random moments`, async () => {
    const file = path.join(dir, "lb.db");
    const random = createRng(0x5eed).next;
    let previousCount = 0;
    const committedEver = new Set<number>();
    let roundsThatWrote = 0;

    for (let round = 0; round < KILLS; round++) {
      // A quarter of the kills land during start-up (open, WAL switch, migration); the rest among commits.
      const afterReady = round % 4 !== 0;
      const delayMs = afterReady ? 20 + Math.floor(random() * 400) : Math.floor(random() * 250);
      const { committed } = await runAndKill(script, file, round, delayMs, afterReady);
      committed.forEach((id) => committedEver.add(id));
      if (!fs.existsSync(file)) {
        expect(committedEver.size).toBe(0);
        continue;
      }

      const raw = new Database(file, { fileMustExist: true });
      try {
        expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
        const hasEntries = raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'entries'").get() !== undefined;
        const rows = hasEntries
          ? (raw.prepare("SELECT id, name, sha256, grader_version, total_score, max_score, document FROM entries ORDER BY id").all() as Array<{
              id: number;
              name: string;
              sha256: string;
              grader_version: string;
              total_score: number;
              max_score: number;
              document: string;
            }>)
          : [];
        for (const row of rows) {
          const doc = JSON.parse(row.document);
          expect([doc.total.score, doc.total.maxScore]).toEqual([row.total_score, row.max_score]);
          expect([doc.submission.name, doc.submission.sha256, doc.grader.version]).toEqual([row.name, row.sha256, row.grader_version]);
          expect(doc.challenges.reduce((s: number, c: { score: number }) => s + c.score, 0)).toBe(row.total_score);
        }
        expect(rows.length).toBeGreaterThanOrEqual(previousCount);
        const ids = new Set(rows.map((r) => r.id));
        for (const id of committedEver) expect(ids.has(id)).toBe(true);
        if (rows.length > previousCount) roundsThatWrote += 1;
        previousCount = rows.length;
      } finally {
        raw.close();
      }

      // The module itself opens the file after the crash and sees the same entries.
      const lb = new Leaderboard(file);
      expect(lb.entries()).toHaveLength(previousCount);
      lb.close();
    }

    expect(previousCount).toBeGreaterThan(0);
    // Enough kills landed after commits had begun (the schedule is seeded; the margin absorbs a slow machine).
    expect(roundsThatWrote).toBeGreaterThanOrEqual(KILLS / 4);
  }, 60_000);
});
