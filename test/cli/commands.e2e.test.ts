import * as fs from "node:fs";
import * as path from "node:path";
import type { ResultsDocument } from "../../graders/results";
import { FIXTURES, ROOT, memarena, tempDir } from "./cli";

const invalid = path.join(ROOT, "test/fixtures/challenges/invalid");

describe("memarena challenge (end to end)", () => {
  it("lists the built-in pack grouped by topic", () => {
    const r = memarena(["challenge", "list"]);
    expect(r.code).toBe(0);
    const topics = r.stdout.split("\n").filter((l) => /^\S/.test(l) && !/challenges in/.test(l));
    expect(topics).toEqual(expect.arrayContaining(["contiguous", "heap", "paging", "sanitizers", "tlb"]));
    expect(r.stdout).toMatch(/^ {2}heap\/coalescing\s/m);
    const json = JSON.parse(memarena(["challenge", "list", "--json"]).stdout) as { id: string; topic: string }[];
    expect(json.length).toBeGreaterThanOrEqual(14);
    expect(json.find((c) => c.id === "heap/coalescing")?.topic).toBe("heap");
  });

  it("shows one challenge, and the file itself with --json", () => {
    const r = memarena(["challenge", "show", "heap/coalescing"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^heap\/coalescing — /);
    const json = memarena(["challenge", "show", "heap/coalescing", "--json"]);
    expect(JSON.parse(json.stdout).id).toBe("heap/coalescing");
  });

  it("validates: every problem with file, line and pointer, exit 2; a valid file exits 0", () => {
    const bad = memarena(["challenge", "validate", path.join(invalid, "many-errors.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/many-errors\.json:\d+:\d+ \/workload\/ops\/12\/size: must be integer >= 1, found -4/);
    expect(bad.stdout).toMatch(/\/subject: .*did you mean "allocator"/);
    expect(bad.stdout).toMatch(/\/checks.*alignmnet.*did you mean "alignment"/);
    expect(bad.stdout).not.toMatch(/\n\s+at /);
    const syntax = memarena(["challenge", "validate", path.join(invalid, "syntax.json")]);
    expect(syntax.code).toBe(2);
    expect(syntax.stdout).toMatch(/syntax\.json:\d+:\d+/);
    const good = memarena(["challenge", "validate", path.join(FIXTURES, "challenges/small.json")]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/1 valid, 0 problems/);
  });

  it("prints the schema for editors", () => {
    const r = memarena(["challenge", "schema"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).$schema).toMatch(/2020-12/);
  });

  it("verifies one challenge's references", () => {
    const r = memarena(["challenge", "verify", "paging/protection"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 challenges, \d+\/\d+ references as expected/);
  });
});

describe("memarena merge (end to end)", () => {
  it("merges shards into one document per submission and one leaderboard entry", () => {
    const challenges = path.join(FIXTURES, "challenges");
    const plugin = path.join(FIXTURES, "plugins/bump.ts");
    const dir = tempDir();
    for (const i of [1, 2]) {
      expect(memarena(["grade", plugin, "-c", challenges, "--shard", `${i}/2`, "--reporter", "json", "--out", path.join(dir, `s${i}`)]).code).toBe(0);
    }
    const whole = JSON.parse(memarena(["grade", plugin, "-c", challenges, "--reporter", "json"]).stdout) as ResultsDocument;
    const db = path.join(dir, "board.db");
    const r = memarena(["merge", path.join(dir, "s1/results.json"), path.join(dir, "s2/results.json"), "--reporter", "json", "--leaderboard", db]);
    expect(r.code).toBe(0);
    const merged = JSON.parse(r.stdout) as ResultsDocument;
    const strip = (d: ResultsDocument) => ({ ...d, challenges: d.challenges.map((c) => ({ ...c, wallMs: 0 })) });
    expect(strip(merged)).toEqual(strip(whole));
    const rows = JSON.parse(memarena(["leaderboard", "--db", db, "--format", "json", "--all"]).stdout) as unknown[];
    expect(rows.length).toBe(1);
  });
});

describe("memarena init (end to end)", () => {
  it("scaffolds a project that installs against this repository, tests and grades", () => {
    const dir = path.join(tempDir(), "my-alloc");
    const r = memarena(["init", dir]);
    expect(r.code).toBe(0);
    for (const f of ["package.json", "src/allocator.ts", "test/allocator.test.ts", "README.md", "tsconfig.json", "jest.config.js"]) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    }
    expect(memarena(["init", dir]).code).toBe(2); // not over an existing project
    // Install from the npm cache (the packages this repository already installed) — no network needed.
    const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
    const npm = (args: string[]) => spawnSync("npm", args, { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "1", NO_COLOR: "1" }, timeout: 300_000 });
    const install = npm(["install", "--prefer-offline", "--no-audit", "--no-fund"]);
    expect(install.status).toBe(0);
    const test = npm(["test"]);
    expect(`${test.stdout}${test.stderr}`).toMatch(/Tests:\s+\d+ passed/);
    expect(test.status).toBe(0);
    const grade = npm(["run", "grade", "--", "--reporter", "json"]);
    const out = grade.stdout.slice(grade.stdout.indexOf("{"));
    const doc = JSON.parse(out) as ResultsDocument;
    expect(doc.submission.name).toBe("my-alloc");
    expect(doc.challenges.length).toBeGreaterThan(0);
    // The naive template is correct: it passes every correctness check (it only scores low).
    expect(doc.challenges.every((c) => c.verdict === "pass")).toBe(true);
  }, 600_000);
});
