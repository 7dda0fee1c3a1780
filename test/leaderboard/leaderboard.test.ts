import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { anonymousName, APPLICATION_ID, DEFAULT_LEADERBOARD_PATH, Leaderboard } from "../../graders/leaderboard";
import type { ResultsDocument } from "../../graders/results";
import { challenge, classDoc, makeDoc } from "../reporters/fixtures";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-lb-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A document of one submission with the given total score out of 100. */
function scored(name: string, score: number, sha = "ab"): ResultsDocument {
  return makeDoc(name, [challenge({ id: "heap/a", score, verdict: score === 100 ? "pass" : "fail" })], {
    submission: { name, kind: "allocator", file: `${name}.ts`, sha256: sha.repeat(32) },
  });
}

function expectIoError(fn: () => unknown, text: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(MemarenaError);
  expect((thrown as MemarenaError).code).toBe(ErrorCode.IO);
  expect((thrown as MemarenaError).message).toMatch(text);
}

const sha = (file: string): string => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("Leaderboard storage", () => {
  it("creates the file and its directories, in WAL mode, marked as a memarena leaderboard", () => {
    const file = path.join(dir, "a", "b", "lb.db");
    const lb = new Leaderboard(file);
    lb.record(classDoc());
    expect(lb.version()).toBe(1);
    lb.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    expect(raw.prepare("SELECT version FROM schema_version").all()).toEqual([{ version: 1 }]);
    raw.close();
  });

  it("defaults to .memarena/leaderboard.db under the working directory", () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const lb = new Leaderboard();
      lb.close();
      expect(DEFAULT_LEADERBOARD_PATH).toBe(path.join(".memarena", "leaderboard.db"));
      expect(fs.existsSync(path.join(dir, ".memarena", "leaderboard.db"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it("keeps the whole document and its columns; entries survive reopening; ids increase", () => {
    const file = path.join(dir, "lb.db");
    let lb = new Leaderboard(file, { clock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    const doc = classDoc("alice-alloc");
    const a = lb.record(doc);
    const b = lb.record(scored("bob", 50), { submitter: "bob@example.edu", packSha256: "ef".repeat(32), now: new Date(Date.UTC(2026, 0, 3)) });
    expect(b).toBeGreaterThan(a);
    lb.close();
    lb = new Leaderboard(file);
    const [first, second] = lb.entries();
    expect(first).toEqual({
      id: a,
      name: "alice-alloc",
      submitter: "alice-alloc",
      sha256: "ab".repeat(32),
      packSha256: "cd".repeat(32),
      graderVersion: "0.1.0",
      totalScore: 107.5,
      maxScore: 700,
      createdAt: "2026-01-02T03:04:05.000Z",
      document: doc,
    });
    expect(second).toMatchObject({ id: b, submitter: "bob@example.edu", name: "bob", packSha256: "ef".repeat(32), createdAt: "2026-01-03T00:00:00.000Z" });
    expect(lb.entries("bob@example.edu").map((e) => e.id)).toEqual([b]);
    expect(lb.entries("nobody")).toEqual([]);
    lb.close();
  });

  it("refuses a document that does not match the results schema, and writes nothing", () => {
    const lb = new Leaderboard(path.join(dir, "lb.db"));
    const bad = { ...scored("x", 1), challenges: [{ id: "a", verdict: "passed" }] } as unknown as ResultsDocument;
    expect(() => lb.record(bad)).toThrow(expect.objectContaining({ code: ErrorCode.INTERNAL }));
    expect(lb.entries()).toHaveLength(0);
    lb.close();
  });

  it("fails with USAGE after close", () => {
    const lb = new Leaderboard(path.join(dir, "lb.db"));
    lb.close();
    lb.close();
    expect(() => lb.ranking()).toThrow(expect.objectContaining({ code: ErrorCode.USAGE }));
  });
});

describe("Leaderboard refuses files that are not its own, without touching them", () => {
  it("a text file", () => {
    const file = path.join(dir, "notes.db");
    fs.writeFileSync(file, "these are my notes, not a database\n".repeat(200));
    const before = sha(file);
    expectIoError(() => new Leaderboard(file), /not a memarena leaderboard \(not an SQLite database\)/);
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(["notes.db"]);
  });

  it("another program's SQLite database", () => {
    const file = path.join(dir, "other.db");
    const other = new Database(file);
    other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')");
    other.close();
    const before = sha(file);
    expectIoError(() => new Leaderboard(file), /SQLite database but not a memarena leaderboard/);
    expect(sha(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
    check.close();
  });

  it("a leaderboard whose pages are damaged", () => {
    const file = path.join(dir, "lb.db");
    const lb = new Leaderboard(file);
    for (let i = 0; i < 40; i++) lb.record(classDoc(`s${i}`));
    lb.close();
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBeGreaterThan(8 * 4096);
    bytes.fill(0xa5, 4096, bytes.length - 4096);
    fs.writeFileSync(file, bytes);
    const before = sha(file);
    expectIoError(() => new Leaderboard(file), /is corrupt/);
    expect(sha(file)).toBe(before);
  });

  it("a file with a damaged SQLite header", () => {
    const file = path.join(dir, "lb.db");
    new Leaderboard(file).close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xff, 16, 100);
    fs.writeFileSync(file, bytes);
    const before = sha(file);
    expectIoError(() => new Leaderboard(file), /is corrupt|not a memarena leaderboard/);
    expect(sha(file)).toBe(before);
  });

  it("a leaderboard from a newer memarena", () => {
    const file = path.join(dir, "lb.db");
    new Leaderboard(file).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_version (version, applied_ms) VALUES (99, 0)").run();
    raw.close();
    const before = sha(file);
    expectIoError(() => new Leaderboard(file), /newer memarena \(schema 99/);
    expect(sha(file)).toBe(before);
  });

  it("a directory", () => {
    expectIoError(() => new Leaderboard(dir), /not a file/);
  });

  it("accepts an empty (0-byte) file as a new leaderboard", () => {
    const file = path.join(dir, "empty.db");
    fs.writeFileSync(file, "");
    const lb = new Leaderboard(file);
    expect(lb.record(scored("a", 1))).toBe(1);
    lb.close();
  });
});

describe("Leaderboard ranking", () => {
  let lb: Leaderboard;
  let t: number;
  beforeEach(() => {
    t = 1_000;
    lb = new Leaderboard(path.join(dir, "lb.db"), { clock: () => (t += 1000) });
  });
  afterEach(() => lb.close());

  it("ranks by total score, descending, with distinct ranks from 1", () => {
    lb.record(scored("low", 10));
    lb.record(scored("high", 90));
    lb.record(scored("mid", 50));
    const rows = lb.ranking();
    expect(rows.map((r) => [r.rank, r.submitter, r.totalScore])).toEqual([
      [1, "high", 90],
      [2, "mid", 50],
      [3, "low", 10],
    ]);
    expect(rows[0]).toMatchObject({ maxScore: 100, graderVersion: "0.1.0", sha256: "ab".repeat(32), packSha256: "cd".repeat(32) });
  });

  it("breaks ties by the earlier entry first, whatever the name", () => {
    lb.record(scored("zed", 70));
    lb.record(scored("amy", 70));
    expect(lb.ranking().map((r) => r.submitter)).toEqual(["zed", "amy"]);
  });

  it("breaks ties at the same time by name", () => {
    const now = 5_000_000;
    lb.record(scored("zed", 70), { now });
    lb.record(scored("amy", 70), { now });
    lb.record(scored("bob", 70), { now });
    expect(lb.ranking().map((r) => r.submitter)).toEqual(["amy", "bob", "zed"]);
  });

  it("keeps each submitter's best entry (the earliest of equal bests) unless asked for all", () => {
    const first = lb.record(scored("alice", 40));
    const best = lb.record(scored("alice", 80));
    lb.record(scored("alice", 80));
    lb.record(scored("bob", 60));
    lb.record(scored("alice", 20));
    const bestRows = lb.ranking();
    expect(bestRows.map((r) => [r.submitter, r.totalScore, r.entryId])).toEqual([
      ["alice", 80, best],
      ["bob", 60, expect.any(Number)],
    ]);
    const all = lb.ranking({ bestPerSubmitter: false });
    expect(all.map((r) => r.totalScore)).toEqual([80, 80, 60, 40, 20]);
    expect(all.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(all[3]!.entryId).toBe(first);
  });

  it("groups by submitter, not by submission name", () => {
    lb.record(scored("first-fit", 30), { submitter: "alice" });
    lb.record(scored("best-fit", 50), { submitter: "alice" });
    lb.record(scored("first-fit", 40), { submitter: "bob" });
    expect(lb.ranking().map((r) => [r.submitter, r.name])).toEqual([
      ["alice", "best-fit"],
      ["bob", "first-fit"],
    ]);
  });

  it("anonymizes with stable aliases: submitter-<first 6 hex of sha256(submitter)>", () => {
    lb.record(scored("alice", 80));
    lb.record(scored("bob", 60));
    const rows = lb.ranking({ anonymize: true });
    const expected = `submitter-${createHash("sha256").update("alice").digest("hex").slice(0, 6)}`;
    expect(rows[0]!.submitter).toBe(expected);
    expect(rows[0]!.name).toBe(expected);
    expect(anonymousName("alice")).toBe(expected);
    expect(rows[1]!.submitter).toMatch(/^submitter-[0-9a-f]{6}$/);
    expect(rows[1]!.submitter).not.toBe(expected);
    expect(JSON.stringify(rows)).not.toMatch(/alice|bob/);
    expect(lb.ranking({ anonymize: true })).toEqual(rows);
    expect(lb.ranking().map((r) => r.entryId)).toEqual(rows.map((r) => r.entryId));
  });

  it("filters by challenge pack", () => {
    lb.record(scored("a", 90), { packSha256: "11".repeat(32) });
    lb.record(scored("b", 50));
    expect(lb.ranking({ packSha256: "cd".repeat(32) }).map((r) => r.submitter)).toEqual(["b"]);
    expect(lb.ranking().map((r) => r.submitter)).toEqual(["a", "b"]);
  });

  it("is empty before any entry", () => {
    expect(lb.ranking()).toEqual([]);
  });
});
