/** The html reporter: one self-contained page (inline CSS, no external assets) of verdicts and scores; heap pictures come later. */
import type { ChallengeResult, ResultsDocument, Verdict } from "../results";
import { failureHeading, formatKeyMetrics, formatPercent, formatScoreOf } from "./format";
import { isHidden, viewFor } from "./student-view";
import type { Reporter } from "./types";
import { escapeXml } from "./xml";

/** Inline style sheet shared by the results page and the leaderboard page. */
export const PAGE_CSS = [
  "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}",
  "table{border-collapse:collapse;margin:1em 0}",
  "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}",
  "td.num{text-align:right;font-variant-numeric:tabular-nums}",
  "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;margin:.3em 0}",
  ".pass{color:#107010}.fail,.error{color:#b00020}.timeout,.memory-limit{color:#a06000}.internal-error{color:#7030a0}",
].join("\n");

/** A complete HTML5 document with the inline style sheet. */
export function htmlPage(title: string, body: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    `<style>\n${PAGE_CSS}\n</style>`,
    "</head>",
    "<body>",
    body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function verdictCell(v: Verdict): string {
  return `<td class="${v}">${v}</td>`;
}

function row(c: ChallengeResult): string {
  const title = c.title !== undefined && c.title !== "" ? `<br><small>${escapeXml(c.title)}</small>` : "";
  const metrics = [isHidden(c) ? "<em>hidden</em>" : "", escapeXml(formatKeyMetrics(c))].filter((t) => t !== "").join(" ");
  return `<tr><td><code>${escapeXml(c.id)}</code>${title}</td>${verdictCell(c.verdict)}<td class="num">${formatScoreOf(c.score, c.maxScore)}</td><td>${metrics}</td></tr>`;
}

function failures(doc: ResultsDocument): string {
  const items = doc.challenges.flatMap((c) =>
    c.failures.map(
      (f) => `<li><code>${escapeXml(c.id)}</code> <span class="${c.verdict}">${c.verdict}</span> ${escapeXml(failureHeading(f))}<pre>${escapeXml(f.message)}</pre></li>`,
    ),
  );
  return items.length === 0 ? "" : `<details><summary>Failures (${items.length})</summary><ul>\n${items.join("\n")}\n</ul></details>`;
}

function section(doc: ResultsDocument): string {
  const { submission: s, total } = doc;
  return [
    "<section>",
    `<h2>${escapeXml(s.name)} — ${formatScoreOf(total.score, total.maxScore)} (${formatPercent(total.score, total.maxScore)})</h2>`,
    `<p>${escapeXml(s.kind)} <code>${escapeXml(s.file)}</code>, sha256 <code>${escapeXml(s.sha256)}</code>, grader ${escapeXml(doc.grader.version)}</p>`,
    "<table>",
    "<thead><tr><th>Challenge</th><th>Verdict</th><th>Score</th><th>Key metrics</th></tr></thead>",
    "<tbody>",
    ...doc.challenges.map(row),
    "</tbody>",
    "</table>",
    failures(doc),
    "</section>",
  ].join("\n");
}

/** A single static page with one section per submission. */
export const htmlReporter: Reporter = (docs, opts) => {
  const shown = viewFor(docs, opts.audience);
  const title = shown.length === 1 ? `memarena: ${shown[0]!.submission.name}` : `memarena: ${shown.length} submissions`;
  return htmlPage(title, `<h1>${escapeXml(title)}</h1>\n${shown.map(section).join("\n")}`);
};
