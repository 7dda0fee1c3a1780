/** Exports of a ranking: plain table, JSON, Markdown, a static HTML page. */
import { formatPercent, formatScore } from "../reporters/format";
import { htmlPage } from "../reporters/html";
import { markdownCell } from "../reporters/markdown";
import { escapeXml } from "../reporters/xml";
import type { RankRow } from "./leaderboard";

/** The formats of `memarena leaderboard --format`. */
export type LeaderboardFormat = "table" | "json" | "markdown" | "html";

const HEADERS = ["Rank", "Submitter", "Submission", "Score", "Max", "%", "Grader", "Created (UTC)"] as const;

/** Right-aligned columns (numbers). */
const NUMERIC = new Set([0, 3, 4, 5]);

function cells(r: RankRow): string[] {
  return [
    String(r.rank),
    r.submitter,
    r.name,
    formatScore(r.totalScore),
    formatScore(r.maxScore),
    formatPercent(r.totalScore, r.maxScore),
    r.graderVersion,
    r.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
  ];
}

function table(rows: readonly RankRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const line = (cs: readonly string[]): string =>
    cs
      .map((c, i) => (NUMERIC.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const out = [line(HEADERS), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  if (rows.length === 0) out.push("(no entries)");
  return out.join("\n") + "\n";
}

function markdown(rows: readonly RankRow[]): string {
  const out = [
    `| ${HEADERS.join(" | ")} |`,
    `|${HEADERS.map((_, i) => (NUMERIC.has(i) ? "--:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(markdownCell).join(" | ")} |`),
  ];
  return out.join("\n") + "\n";
}

/** Raw values behind the score cells, as data attributes, so a page can be checked against the database. */
function dataAttrs(r: RankRow, column: number): string {
  switch (column) {
    case 3:
      return ` data-value="${r.totalScore}"`;
    case 4:
      return ` data-value="${r.maxScore}"`;
    default:
      return "";
  }
}

function html(rows: readonly RankRow[]): string {
  const head = `<tr>${HEADERS.map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr>`;
  const body = rows.map(
    (r) =>
      `<tr>${cells(r)
        .map((c, i) => `<td${NUMERIC.has(i) ? ' class="num"' : ""}${dataAttrs(r, i)}>${escapeXml(c)}</td>`)
        .join("")}</tr>`,
  );
  const packs = new Set(rows.map((r) => r.packSha256 ?? "")).size;
  const summary =
    rows.length === 0
      ? "<p>No entries yet.</p>\n"
      : `<p>${rows.length} entr${rows.length === 1 ? "y" : "ies"}${packs > 1 ? `, from ${packs} challenge packs (scores of different packs do not compare)` : ""}.</p>\n`;
  return htmlPage(
    "memarena leaderboard",
    `<h1>memarena leaderboard</h1>\n${summary}<table class="leaderboard">\n<thead>${head}</thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>`,
  );
}

/** Renders a ranking in one of the export formats; every format ends with a newline. */
export function formatLeaderboard(rows: readonly RankRow[], format: LeaderboardFormat): string {
  switch (format) {
    case "table":
      return table(rows);
    case "json":
      return JSON.stringify(rows, null, 2) + "\n";
    case "markdown":
      return markdown(rows);
    case "html":
      return html(rows);
  }
}
