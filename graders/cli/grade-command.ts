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
  const challenges = shard(selectChallenges(flags.challenges), flags.shard);
  const reporters: ReporterName[] = flags.reporter && flags.reporter.length > 0 ? flags.reporter : ["console"];
  // Open the leaderboard first: a bad file is reported before minutes of grading.
  const board = flags.leaderboard ? new Leaderboard(flags.leaderboard) : undefined;

  try {
    const progress = progressReporter(process.stderr, interactive(process.stderr), useColor(process.stderr));
    const outcome = await grade({
      plugins,
      challenges,
      jobs,
      details: flags.details || reporters.includes("html"),
      onProgress: (e: GradeProgress) => progress(e),
    });
    progress({ type: "end" });
    for (const f of outcome.loadFailures) process.stderr.write(`memarena: ${f.spec}: ${f.error.message}\n`);

    const docs = outcome.documents;
    writeReports(docs, reporters, flags);
    if (board) {
      for (const doc of docs) board.record(doc, { submitter: flags.submitter ?? doc.submission.name, packSha256: doc.challengePack?.sha256 });
      if (flags.ranking) process.stdout.write(`\nLeaderboard (${flags.leaderboard}):\n${formatLeaderboard(board.ranking({}), "table")}\n`);
    }
    if (outcome.loadFailures.length > 0) return EXIT.usage;
    return exitCodeFor(docs, failUnder);
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

function writeReports(docs: readonly ResultsDocument[], reporters: readonly ReporterName[], flags: GradeFlags): void {
  const color = useColor(process.stdout);
  for (const name of reporters) {
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
