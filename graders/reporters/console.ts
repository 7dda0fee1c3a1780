/** The console reporter: a table per submission, first failures in full, totals. */
import type { ChallengeResult, ResultsDocument, Verdict } from "../results";
import {
  failureHeading,
  formatKeyMetrics,
  formatPercent,
  formatScoreOf,
  verdictCounts,
} from "./format";
import { isHidden, viewFor } from "./student-view";
import type { Reporter } from "./types";

const RESET = "\u001b[0m";

/** ANSI color of each verdict. */
const VERDICT_COLOR: Readonly<Record<Verdict, string>> = {
  pass: "\u001b[32m",
  fail: "\u001b[31m",
  error: "\u001b[31m",
  timeout: "\u001b[33m",
  "memory-limit": "\u001b[33m",
  "internal-error": "\u001b[35m",
};

const HEADERS = ["Challenge", "Verdict", "Score", "Metrics"] as const;

function row(c: ChallengeResult): string[] {
  const metrics = isHidden(c) ? ["(hidden)", formatKeyMetrics(c)].filter((t) => t !== "").join(" ") : formatKeyMetrics(c);
  return [c.id, c.verdict, formatScoreOf(c.score, c.maxScore), metrics];
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** Console lines the submission printed in a failing run: the last few, nearest the failure. */
const OUTPUT_TAIL = 10;

function outputTail(c: ChallengeResult): string[] {
  const lines = c.output ?? [];
  if (lines.length === 0) return [];
  const shown = lines.slice(-OUTPUT_TAIL);
  const heading = lines.length > shown.length ? `last ${shown.length} of ${lines.length} lines` : `${lines.length} line${lines.length === 1 ? "" : "s"}`;
  return [`  console output (${heading}):`, ...shown.map((l) => `  │ ${l}`)];
}

function renderOne(doc: ResultsDocument, color: boolean): string {
  const paint = (v: Verdict, text: string): string => (color ? VERDICT_COLOR[v] + text + RESET : text);
  const rows = doc.challenges.map(row);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[], verdict?: Verdict): string =>
    cells
      .map((cell, i) => {
        const padded = i === 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
        return i === 1 && verdict !== undefined ? paint(verdict, padded) : padded;
      })
      .join("  ")
      .trimEnd();

  const { name, kind, file, sha256 } = doc.submission;
  const out: string[] = [];
  out.push(`${name} (${kind}, ${file}) sha256 ${sha256.slice(0, 12)}  grader ${doc.grader.version}`);
  out.push(line(HEADERS));
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  doc.challenges.forEach((c, i) => out.push(line(rows[i] as string[], c.verdict)));

  const failing = doc.challenges.filter((c) => c.verdict !== "pass" && c.failures.length > 0);
  for (const c of failing) {
    const first = c.failures[0]!;
    const more = c.failures.length > 1 ? ` (+${c.failures.length - 1} more)` : "";
    out.push("");
    out.push(`${paint(c.verdict, c.verdict.toUpperCase())} ${c.id}: ${failureHeading(first)}${more}`);
    out.push(indent(first.message, "  "));
    out.push(...outputTail(c));
  }

  const counts = verdictCounts(doc);
  const summary = (Object.keys(counts) as Verdict[])
    .filter((v) => counts[v] > 0)
    .map((v) => paint(v, `${counts[v]} ${v}`))
    .join(", ");
  out.push("");
  out.push(
    `Total: ${formatScoreOf(doc.total.score, doc.total.maxScore)} (${formatPercent(doc.total.score, doc.total.maxScore)})` +
      (summary !== "" ? `  ${summary}` : "  no challenges"),
  );
  return out.join("\n");
}

/** Human-readable tables, one per submission; verdicts colored unless `opts.color === false`. */
export const consoleReporter: Reporter = (docs, opts) => {
  const color = opts.color !== false;
  const parts = viewFor(docs, opts.audience).map((d) => renderOne(d, color));
  if (docs.length > 1) parts.push(`${docs.length} submissions graded`);
  return parts.join("\n\n") + "\n";
};
