/** `memarena grade`: grade submissions, report, record, rank. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { listBuiltinPlugins } from "../builtins";
import { grade, type GradeProgress } from "../grade";
import { Leaderboard, formatLeaderboard } from "../leaderboard";
import { REPORTERS, type ReporterName, type Audience } from "../reporters";
import type { ResultsDocument } from "../results";
import { EXIT, interactive, useColor } from "./output";
import { positiveInt, selectChallenges, shard } from "./select";
import { progressReporter } from "./progress";

/** Flags of `memarena grade`. */
export interface GradeFlags {
  challenges?: string[];
  reporter?: ReporterName[];
  out?: string;
  leaderboard?: string;
  jobs?: string;
  shard?: string;
  failUnder?: string;
  builtins?: boolean;
  ranking?: boolean;
  submitter?: string;
  audience: Audience;
  details?: boolean;
  exitZero?: boolean;
}

/** Files the reporters write under --out. */
export const REPORT_FILES: Readonly<Record<ReporterName, string>> = {
  console: "console.txt",
  json: "results.json",
  junit: "junit.xml",
  markdown: "summary.md",
  html: "report.html",
  gradescope: path.join("gradescope", "results.json"),
};

/** Runs `memarena grade`; returns the exit code. */
export async function gradeCommand(pluginArgs: string[], flags: GradeFlags): Promise<number> {
  const plugins = [...pluginArgs];
  if (flags.builtins) plugins.push(...listBuiltinPlugins().map((b) => b.spec));
  if (plugins.length === 0) throw new MemarenaError(ErrorCode.USAGE, "grade: name at least one plugin file (or --builtins); see `memarena grade --help`");
  const failUnder = flags.failUnder === undefined ? undefined : Number(flags.failUnder);
  if (failUnder !== undefined && !(failUnder >= 0 && failUnder <= 100)) {
    throw new MemarenaError(ErrorCode.USAGE, `--fail-under: expected a percentage from 0 to 100, found "${flags.failUnder}"`);
  }
  const jobs = positiveInt("--jobs", flags.jobs, 1);
  const selected = selectChallenges(flags.challenges);
  const challenges = shard(selected, flags.shard);
  const reporters: ReporterName[] = flags.reporter && flags.reporter.length > 0 ? flags.reporter : ["console"];
  // Open the leaderboard first: a bad file is reported before minutes of grading.
  const board = flags.leaderboard ? new Leaderboard(flags.leaderboard) : undefined;

  try {
    const progress = progressReporter(process.stderr, interactive(process.stderr), useColor(process.stderr));
    const outcome = await grade({
      plugins,
      challenges,
      // Shards name the whole selection's pack, so their results merge into one entry.
      pack: selected,
      jobs,
      details: flags.details || reporters.includes("html"),
      onProgress: (e: GradeProgress) => progress(e),
    });
    progress({ type: "end" });
    for (const f of outcome.loadFailures) process.stderr.write(`memarena: ${f.spec}: ${f.error.message}\n`);

    const docs = outcome.documents;
    writeReports(docs, reporters, flags);
    if (board) {
      for (const doc of docs) board.record(doc, { submitter: submitterOf(doc, docs.length, flags.submitter), packSha256: doc.challengePack?.sha256 });
      if (flags.ranking) process.stdout.write(rankingByKind(board));
      if (flags.out && reporters.includes("html")) {
        const file = path.join(flags.out, "leaderboard.html");
        fs.writeFileSync(file, formatLeaderboard(board.ranking({}), "html"));
        process.stderr.write(`memarena: wrote ${file}\n`);
      }
    }
    if (outcome.loadFailures.length > 0) return EXIT.usage;
    // --exit-zero: the job is to grade and record (npm start), not to gate on the verdicts.
    return flags.exitZero ? EXIT.ok : exitCodeFor(docs, failUnder);
  } finally {
    board?.close();
  }
}

/** 0 when every graded challenge passed (and --fail-under is met), else 1. */
export function exitCodeFor(docs: readonly ResultsDocument[], failUnder?: number): number {
  for (const d of docs) {
    if (d.challenges.some((c) => c.verdict !== "pass")) return EXIT.failed;
    if (failUnder !== undefined && d.total.maxScore > 0 && (100 * d.total.score) / d.total.maxScore < failUnder) return EXIT.failed;
  }
  return EXIT.ok;
}

/**
 * Who a submission belongs to on the leaderboard: --submitter for a single
 * submission; in a class run, the file's name (submissions/alice.ts -> alice),
 * or the plugin's name for built-ins.
 */
export function submitterOf(doc: ResultsDocument, count: number, flag?: string): string {
  if (flag !== undefined && count === 1) return flag;
  const file = doc.submission.file;
  if (file.startsWith("builtin:")) return doc.submission.name;
  const base = path.basename(file).replace(/\.(ts|js|mts|cts|mjs|cjs)$/, "");
  return base === "index" || base === "" ? path.basename(path.dirname(file)) : base;
}

/** The ranking, one table per plugin kind: an allocator's total is not comparable to a sanitizer's. */
function rankingByKind(board: Leaderboard): string {
  const kindOf = new Map(board.entries().map((e) => [e.id, e.document.submission.kind] as const));
  const rows = board.ranking({});
  const kinds = [...new Set(rows.map((r) => kindOf.get(r.entryId) ?? "allocator"))];
  let out = "";
  for (const kind of kinds) {
    const mine = rows.filter((r) => (kindOf.get(r.entryId) ?? "allocator") === kind).map((r, i) => ({ ...r, rank: i + 1 }));
    out += `\nLeaderboard — ${kind} plugins:\n${formatLeaderboard(mine, "table")}\n`;
  }
  return out;
}

/** Writes each reporter's output to --out (a file per reporter) or to standard output. */
export function writeReports(docs: readonly ResultsDocument[], reporters: readonly ReporterName[], flags: Pick<GradeFlags, "audience" | "out">): void {
  const color = useColor(process.stdout);
  for (const name of reporters) {
    if (name === "html" && flags.out && docs.length > 1) {
      // One self-contained page per submission, as a student or instructor opens it.
      for (const doc of docs) {
        const file = path.join(flags.out, "submissions", `${doc.submission.name.replace(/[^\w.-]+/g, "_")}.html`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, REPORTERS.html([doc], { audience: flags.audience }));
      }
      process.stderr.write(`memarena: wrote ${docs.length} HTML reports under ${path.join(flags.out, "submissions")}\n`);
      continue;
    }
    const text = REPORTERS[name](docs, { audience: flags.audience, color: name === "console" ? color && !flags.out : false });
    if (flags.out && name !== "console") {
      const file = path.join(flags.out, REPORT_FILES[name]);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      process.stderr.write(`memarena: wrote ${file}\n`);
    } else {
      process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    }
  }
}
