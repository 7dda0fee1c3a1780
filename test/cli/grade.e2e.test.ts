import * as fs from "node:fs";
import * as path from "node:path";
import { validateResults } from "../../graders/reporters";
import type { ResultsDocument } from "../../graders/results";
import { FIXTURES, memarena, tempDir } from "./cli";

const challenges = path.join(FIXTURES, "challenges");
const plugin = (name: string) => path.join(FIXTURES, "plugins", name);

describe("memarena grade (end to end)", () => {
  it("grades a correct plugin: exit 0, a valid results document, a junit file", () => {
    const out = tempDir();
    const r = memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json", "junit", "console", "--out", out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as ResultsDocument;
    expect(validateResults(doc).valid).toBe(true);
    expect(doc.submission).toMatchObject({ name: "cli-bump", kind: "allocator" });
    expect(doc.submission.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.challenges.map((c) => [c.id, c.verdict])).toEqual([
      ["cli/hidden", "pass"],
      ["cli/small", "pass"],
    ]);
    expect(doc.total.maxScore).toBe(200);
    expect(fs.readFileSync(path.join(out, "junit.xml"), "utf8")).toMatch(/<testsuites[\s\S]*cli\/small/);
    expect(r.stdout).toMatch(/cli\/small/);
  });

  it("fails a plugin that hands out overlapping blocks: exit 1, the op and the blocks named", () => {
    const r = memarena(["grade", plugin("overlap.ts"), "-c", challenges, "--reporter", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as ResultsDocument;
    const small = doc.challenges.find((c) => c.id === "cli/small")!;
    expect(small.verdict).toBe("fail");
    expect(small.score).toBe(0);
    expect(small.failures[0]).toMatchObject({ check: "overlap", op: 1 });
    expect(small.failures[0].message).toMatch(/overlaps live block \d+ \[0x[0-9a-f]+, 0x[0-9a-f]+\) of \d+ bytes allocated at op 0/);
  });

  it("shows students only the verdict and score of a hidden challenge", () => {
    const r = memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json", "--audience", "student"]);
    const doc = JSON.parse(r.stdout) as ResultsDocument;
    const hidden = doc.challenges.find((c) => c.id === "cli/hidden")!;
    expect(hidden.metrics).toEqual({});
    expect(hidden.verdict).toBe("pass");
    const instructor = JSON.parse(memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json"]).stdout) as ResultsDocument;
    expect(Object.keys(instructor.challenges.find((c) => c.id === "cli/hidden")!.metrics).length).toBeGreaterThan(3);
  });

  it("gives byte-identical results for the same submission twice, apart from wall-clock fields", () => {
    const strip = (text: string) => text.replace(/"wallMs": \d+/g, '"wallMs": 0');
    const a = memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json"]);
    const b = memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json"]);
    expect(strip(a.stdout)).toBe(strip(b.stdout));
    expect(a.stdout.length).toBeGreaterThan(500);
  });

  it("seeds Math.random and stops the clock inside the sandbox, so even a plugin that reads them is reproducible", () => {
    const strip = (text: string) => text.replace(/"wallMs": \d+/g, '"wallMs": 0');
    const run = () => memarena(["grade", plugin("random-bump.ts"), "-c", path.join(challenges, "hidden.json"), "--reporter", "json"]);
    const a = run();
    expect(a.code).toBe(0);
    expect(strip(run().stdout)).toBe(strip(a.stdout));
  });

  it("reports a syntax error in the plugin with file and line, exit 2, no stack", () => {
    const r = memarena(["grade", plugin("syntax-error.ts"), "-c", challenges]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syntax-error\.ts:5:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a plugin that imports a Node built-in, naming the module", () => {
    const r = memarena(["grade", plugin("uses-fs.ts"), "-c", challenges]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uses-fs\.ts.*"?fs"?/);
  });

  it("exits 2 for bad usage: an unknown reporter, a bad shard, a missing challenge", () => {
    expect(memarena(["grade", plugin("bump.ts"), "--reporter", "xml"]).code).toBe(2);
    const shard = memarena(["grade", plugin("bump.ts"), "-c", challenges, "--shard", "3/2"]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--shard: expected i\/n/);
    const missing = memarena(["grade", plugin("bump.ts"), "-c", "no/such-challenge"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no challenge file, folder, id or topic "no\/such-challenge"/);
  });

  it("splits the challenges into disjoint shards that cover them all", () => {
    const ids = (shard: string) =>
      (JSON.parse(memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json", "--shard", shard]).stdout) as ResultsDocument).challenges.map((c) => c.id);
    const one = ids("1/2");
    const two = ids("2/2");
    expect(one.length).toBe(1);
    expect(two.length).toBe(1);
    expect([...one, ...two].sort()).toEqual(["cli/hidden", "cli/small"]);
  });

  it("records the run in a leaderboard and ranks it", () => {
    const dir = tempDir();
    const db = path.join(dir, "board.db");
    expect(memarena(["grade", plugin("bump.ts"), "-c", challenges, "--leaderboard", db, "--reporter", "json"]).code).toBe(0);
    expect(memarena(["grade", plugin("overlap.ts"), "-c", challenges, "--leaderboard", db, "--reporter", "json"]).code).toBe(1);
    const r = memarena(["leaderboard", "--db", db, "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { rank: number; name: string; totalScore: number }[];
    expect(rows.map((x) => x.name)).toEqual(["cli-bump", "cli-overlap"]);
    expect(rows[0].totalScore).toBeGreaterThan(rows[1].totalScore);
  });

  it("applies --fail-under to the total score", () => {
    expect(memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json", "--fail-under", "100"]).code).toBe(1);
    expect(memarena(["grade", plugin("bump.ts"), "-c", challenges, "--reporter", "json", "--fail-under", "1"]).code).toBe(0);
  });
});

describe("memarena run (end to end)", () => {
  it("writes one event line per op with its outcome", () => {
    const events = path.join(tempDir(), "events.jsonl");
    const r = memarena(["run", path.join(challenges, "hidden.json"), "--plugin", plugin("bump.ts"), "--events", events, "--json"]);
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(events, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { index: number; address?: number | null });
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3]);
    expect(lines[0].address).toEqual(expect.any(Number));
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "cli/hidden", verdict: "pass" });
  });
});

describe("memarena --help and --version", () => {
  it("prints the version and help with examples", () => {
    const v = memarena(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const command of [["grade"], ["run"], ["merge"], ["init"], ["leaderboard"], ["challenge", "list"], ["challenge", "show"], ["challenge", "validate"], ["challenge", "verify"], ["challenge", "schema"]]) {
      const h = memarena([...command, "--help"]);
      expect({ command, code: h.code }).toEqual({ command, code: 0 });
      expect(h.stdout).toMatch(/Examples:\n {2}\$ memarena /);
    }
  });
});
