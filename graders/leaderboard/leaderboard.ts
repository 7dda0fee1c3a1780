/**
 * The leaderboard (DESIGN.md §9): entries in an SQLite file, each keeping the
 * whole results document, the submission hash, the challenge-pack hash and the
 * grader version, so any rank can be reproduced.
 *
 * Crash safety: WAL journal, every write one IMMEDIATE transaction, and
 * `synchronous = FULL`. WAL alone already keeps the file consistent when the
 * process is killed (NORMAL would too); FULL also syncs the WAL on every
 * commit, so an entry that `record` has returned survives an OS crash or a
 * power cut on the CI host, not only a killed process. Writes are one per
 * graded submission, so the extra fsync costs nothing that matters.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import Database from "better-sqlite3";
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { ResultsDocument } from "../results";
import { canonicalResults } from "../reporters/json";
import { validateResults } from "../reporters/validate";
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations";

/** Where `memarena grade --leaderboard` and `memarena leaderboard` look by default. */
export const DEFAULT_LEADERBOARD_PATH = path.join(".memarena", "leaderboard.db");

/** How a leaderboard is opened. */
export interface LeaderboardOptions {
  /** Milliseconds since the epoch for `created` times; injectable for tests. */
  readonly clock?: () => number;
  /** How long a write waits for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** Options of one `record` call. */
export interface RecordOptions {
  /** Who submitted; defaults to the submission's name. */
  readonly submitter?: string;
  /** Hash of the challenge pack; defaults to the document's `challengePack.sha256`. */
  readonly packSha256?: string;
  /** Creation time (Date or ms since the epoch); defaults to the clock. */
  readonly now?: Date | number;
}

/** Options of `ranking`. */
export interface RankingOptions {
  /** Only each submitter's best entry (highest score, earliest among equal scores). Default true. */
  readonly bestPerSubmitter?: boolean;
  /** Replace submitter and submission names by stable aliases. Default false. */
  readonly anonymize?: boolean;
  /** Only entries graded against this challenge pack (scores of different packs do not compare). */
  readonly packSha256?: string;
}

/** One stored entry, with its whole results document. */
export interface LeaderboardEntry {
  readonly id: number;
  readonly name: string;
  readonly submitter: string;
  readonly sha256: string;
  readonly packSha256: string | null;
  readonly graderVersion: string;
  readonly totalScore: number;
  readonly maxScore: number;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly document: ResultsDocument;
}

/** One line of the ranking. */
export interface RankRow {
  /** 1-based; ties are broken (earlier entry first, then name), so ranks are distinct. */
  readonly rank: number;
  readonly entryId: number;
  readonly submitter: string;
  readonly name: string;
  readonly totalScore: number;
  readonly maxScore: number;
  readonly sha256: string;
  readonly packSha256: string | null;
  readonly graderVersion: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
}

interface EntryRow {
  id: number;
  name: string;
  submitter: string;
  sha256: string;
  pack_sha256: string | null;
  grader_version: string;
  total_score: number;
  max_score: number;
  created_ms: number;
  document: string;
}

/** The stable alias shown instead of a name: `submitter-` and the first 6 hex digits of its sha256. */
export function anonymousName(name: string): string {
  return `submitter-${createHash("sha256").update(name, "utf8").digest("hex").slice(0, 6)}`;
}

const SQLITE_MAGIC = Buffer.from("SQLite format 3\u0000", "latin1");

function ioError(file: string, message: string, cause?: unknown): MemarenaError {
  return new MemarenaError(ErrorCode.IO, `${file}: ${message}`, { file }, cause !== undefined ? { cause } : undefined);
}

/** SQLite error codes that mean "this file is damaged", as opposed to "busy" or "read-only". */
function isCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB" || (typeof code === "string" && code.startsWith("SQLITE_CORRUPT"));
}

/** Refuses, by reading only the first bytes, a file that is not SQLite at all. */
function checkMagic(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return;
  }
  if (!stat.isFile()) throw ioError(file, "is not a file, so not a memarena leaderboard");
  if (stat.size === 0) return;
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) {
    throw ioError(file, "is not a memarena leaderboard (not an SQLite database); it was left untouched");
  }
}

function toMs(now: Date | number): number {
  const ms = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(ms)) throw new MemarenaError(ErrorCode.USAGE, `invalid time for a leaderboard entry: ${String(now)}`);
  return Math.round(ms);
}

/** A leaderboard in one SQLite file. */
export class Leaderboard {
  /** The database file. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly clock: () => number;
  private closed = false;

  /** Opens (creating file and directories if needed) and migrates; IO error if the file is not a memarena leaderboard or is corrupt. */
  constructor(file: string = DEFAULT_LEADERBOARD_PATH, options: LeaderboardOptions = {}) {
    this.file = file;
    this.clock = options.clock ?? Date.now;
    const inMemory = file === ":memory:";
    if (!inMemory) {
      checkMagic(file);
      try {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      } catch (e) {
        throw ioError(file, `cannot create the directory: ${(e as Error).message}`, e);
      }
    }
    try {
      this.db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (e) {
      throw ioError(file, `cannot open the leaderboard: ${(e as Error).message}`, e);
    }
    try {
      this.open(inMemory);
    } catch (e) {
      this.db.close();
      if (e instanceof MemarenaError) throw e;
      if (isCorruption(e)) throw ioError(file, "is corrupt (SQLite reports a damaged database); it was left untouched", e);
      throw ioError(file, `cannot open the leaderboard: ${(e as Error).message}`, e);
    }
  }

  /** Verifies what the file is before writing anything, then sets the journal and migrates. */
  private open(inMemory: boolean): void {
    const appId = this.db.pragma("application_id", { simple: true }) as number;
    const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
    const fresh = appId === 0 && tables.n === 0;
    if (!fresh) {
      if (appId !== APPLICATION_ID) {
        throw ioError(this.file, "is an SQLite database but not a memarena leaderboard; it was left untouched");
      }
      const check = this.db.pragma("quick_check", { simple: true });
      if (check !== "ok") {
        throw ioError(this.file, `is corrupt (quick_check: ${String(check)}); it was left untouched`);
      }
      const version = this.schemaVersion();
      if (version > LATEST_SCHEMA_VERSION) {
        throw ioError(this.file, `was written by a newer memarena (schema ${version}, this one knows ${LATEST_SCHEMA_VERSION}); it was left untouched`);
      }
    }
    if (!inMemory) {
      const mode = this.db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal") throw ioError(this.file, `cannot use the WAL journal (got ${String(mode)})`);
    }
    this.db.pragma("synchronous = FULL");
    this.migrate();
  }

  private schemaVersion(): number {
    const version = this.appliedVersion();
    if (version === 0) throw ioError(this.file, "is not a memarena leaderboard (no schema version); it was left untouched");
    return version;
  }

  /** The newest migration applied, or 0 before the first. */
  private appliedVersion(): number {
    const hasTable = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
    if (hasTable === undefined) return 0;
    const row = this.db.prepare("SELECT max(version) AS v FROM schema_version").get() as { v: number | null };
    return row.v ?? 0;
  }

  /** Applies each missing migration in its own transaction; the version is re-read under the write lock, so two processes opening a new file at once do not both migrate. */
  private migrate(): void {
    for (const m of MIGRATIONS) {
      this.db
        .transaction(() => {
          if (this.appliedVersion() >= m.version) return;
          m.up(this.db);
          this.db.prepare("INSERT INTO schema_version (version, applied_ms) VALUES (?, ?)").run(m.version, toMs(this.clock()));
        })
        .immediate();
    }
  }

  private live(): Database.Database {
    if (this.closed) throw new MemarenaError(ErrorCode.USAGE, `leaderboard ${this.file} is closed`);
    return this.db;
  }

  /** Stores one graded submission in one transaction; returns the entry id. */
  record(doc: ResultsDocument, opts: RecordOptions = {}): number {
    const db = this.live();
    const validation = validateResults(doc);
    if (!validation.valid) {
      throw new MemarenaError(ErrorCode.INTERNAL, `results document does not match graders/results-schema.json:\n${validation.errors.join("\n")}`, {
        errors: validation.errors,
      });
    }
    const submitter = opts.submitter ?? doc.submission.name;
    if (submitter === "") throw new MemarenaError(ErrorCode.USAGE, "a leaderboard submitter cannot be empty");
    const insert = db.prepare(
      `INSERT INTO entries (name, submitter, sha256, pack_sha256, grader_version, total_score, max_score, created_ms, document)
       VALUES (@name, @submitter, @sha256, @pack, @grader, @score, @maxScore, @created, @document)`,
    );
    const params = {
      name: doc.submission.name,
      submitter,
      sha256: doc.submission.sha256,
      pack: opts.packSha256 ?? doc.challengePack?.sha256 ?? null,
      grader: doc.grader.version,
      score: doc.total.score,
      maxScore: doc.total.maxScore,
      created: toMs(opts.now ?? this.clock()),
      document: JSON.stringify(canonicalResults(doc)),
    };
    return db.transaction(() => Number(insert.run(params).lastInsertRowid)).immediate();
  }

  /** The ranking: total score descending; ties go to the earlier entry, then by submitter and name. */
  ranking(opts: RankingOptions = {}): RankRow[] {
    const { bestPerSubmitter = true, anonymize = false, packSha256 } = opts;
    const rows = this.live()
      .prepare(
        `WITH ranked AS (
           SELECT *, row_number() OVER (PARTITION BY submitter ORDER BY total_score DESC, created_ms, id) AS nth
           FROM entries WHERE @pack IS NULL OR pack_sha256 = @pack
         )
         SELECT id, name, submitter, sha256, pack_sha256, grader_version, total_score, max_score, created_ms
         FROM ranked WHERE @all = 1 OR nth = 1
         ORDER BY total_score DESC, created_ms, submitter, name, id`,
      )
      .all({ pack: packSha256 ?? null, all: bestPerSubmitter ? 0 : 1 }) as Omit<EntryRow, "document">[];
    return rows.map((r, i) => {
      const alias = anonymize ? anonymousName(r.submitter) : undefined;
      return {
        rank: i + 1,
        entryId: r.id,
        submitter: alias ?? r.submitter,
        name: alias ?? r.name,
        totalScore: r.total_score,
        maxScore: r.max_score,
        sha256: r.sha256,
        packSha256: r.pack_sha256,
        graderVersion: r.grader_version,
        createdAt: new Date(r.created_ms).toISOString(),
      };
    });
  }

  /** Every entry (of one submitter, if given), oldest first, with its results document. */
  entries(submitter?: string): LeaderboardEntry[] {
    const rows = this.live()
      .prepare("SELECT * FROM entries WHERE @submitter IS NULL OR submitter = @submitter ORDER BY id")
      .all({ submitter: submitter ?? null }) as EntryRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      submitter: r.submitter,
      sha256: r.sha256,
      packSha256: r.pack_sha256,
      graderVersion: r.grader_version,
      totalScore: r.total_score,
      maxScore: r.max_score,
      createdAt: new Date(r.created_ms).toISOString(),
      document: JSON.parse(r.document) as ResultsDocument,
    }));
  }

  /** The schema version of the open file. */
  version(): number {
    this.live();
    return this.schemaVersion();
  }

  /** Closes the file; later calls fail with a USAGE error. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
