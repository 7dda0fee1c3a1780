/** The leaderboard's schema, as an ordered list of migrations; a database records which ones it has had. */
import type Database from "better-sqlite3";

/** `PRAGMA application_id` of a memarena leaderboard ("MEMA"): how a file is told apart from other SQLite databases. */
export const APPLICATION_ID = 0x4d454d41;

/** One schema step; `up` runs inside the migration's transaction. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/** Every migration, in order; append only, never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "entries with the whole results document",
    up(db) {
      db.exec(`
        CREATE TABLE schema_version (
          version    INTEGER PRIMARY KEY,
          applied_ms INTEGER NOT NULL
        );
        CREATE TABLE entries (
          id             INTEGER PRIMARY KEY AUTOINCREMENT,
          name           TEXT    NOT NULL,
          submitter      TEXT    NOT NULL,
          sha256         TEXT    NOT NULL,
          pack_sha256    TEXT,
          grader_version TEXT    NOT NULL,
          total_score    REAL    NOT NULL,
          max_score      REAL    NOT NULL,
          created_ms     INTEGER NOT NULL,
          document       TEXT    NOT NULL CHECK (json_valid(document))
        );
        CREATE INDEX entries_by_submitter ON entries (submitter, total_score DESC, created_ms, id);
        CREATE INDEX entries_by_rank ON entries (total_score DESC, created_ms, submitter, name, id);
        PRAGMA application_id = ${APPLICATION_ID};
      `);
    },
  },
];

/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
