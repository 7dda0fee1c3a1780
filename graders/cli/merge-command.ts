/** `memarena merge`: shards' results documents -> one per submission, recorded and reported. */
import * as fs from "node:fs";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { Leaderboard } from "../leaderboard";
import { mergeResults } from "../merge";
import { validateResults, type Audience, type ReporterName } from "../reporters";
import type { ResultsDocument } from "../results";
import { exitCodeFor, submitterOf, writeReports } from "./grade-command";
import { EXIT } from "./output";

/** Flags of `memarena merge`. */
export interface MergeFlags {
  leaderboard?: string;
  reporter?: ReporterName[];
  out?: string;
  audience: Audience;
}

/** Runs `memarena merge`; returns the exit code. */
export function mergeCommand(files: string[], flags: MergeFlags): number {
  const docs: ResultsDocument[] = [];
  for (const file of files) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new MemarenaError(ErrorCode.IO, `${file}: expected a results document (JSON), ${e instanceof Error ? e.message : String(e)}`, { file });
    }
    for (const [i, doc] of (Array.isArray(value) ? value : [value]).entries()) {
      const v = validateResults(doc);
      if (!v.valid) throw new MemarenaError(ErrorCode.IO, `${file}${Array.isArray(value) ? ` [${i}]` : ""}: not a results document: ${v.errors.slice(0, 3).join("; ")}`, { file });
      docs.push(doc as ResultsDocument);
    }
  }
  const merged = mergeResults(docs);
  writeReports(merged, flags.reporter && flags.reporter.length > 0 ? flags.reporter : ["console"], { audience: flags.audience, out: flags.out });
  if (flags.leaderboard) {
    const board = new Leaderboard(flags.leaderboard);
    try {
      for (const doc of merged) board.record(doc, { submitter: submitterOf(doc, merged.length), packSha256: doc.challengePack?.sha256 });
    } finally {
      board.close();
    }
  }
  return merged.length === 0 ? EXIT.usage : exitCodeFor(merged);
}
