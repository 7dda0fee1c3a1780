/**
 * The html reporter: one self-contained page (inline CSS and SVG, no script,
 * no external assets; opens from disk) with, per submission, a table of
 * verdicts and scores and, per challenge with series or heap metrics, the heap
 * over time, utilization and TLB plots and a fragmentation summary.
 */
import type { ChallengeResult, ResultsDocument, Verdict } from "../results";
import { failureHeading, formatKeyMetrics, formatPercent, formatScoreOf } from "./format";
import { challengeDetails, hasDetails } from "./html-details";
import { isHidden, viewFor } from "./student-view";
import type { Audience, Reporter } from "./types";
import { escapeXml } from "./xml";

/** Inline style sheet shared by the results page and the leaderboard page. */
export const PAGE_CSS = [
  "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}",
  "table{border-collapse:collapse;margin:1em 0}",
  "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}",
  "td.num{text-align:right;font-variant-numeric:tabular-nums}",
  "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;margin:.3em 0}",
  ".pass{color:#107010}.fail,.error{color:#b00020}.timeout,.memory-limit{color:#a06000}.internal-error{color:#7030a0}",
  "section.challenge{border-top:1px solid #ddd;margin-top:1.5em}",
  "figure{margin:1em 0}figcaption{color:#555;font-size:90%}.scroll{overflow-x:auto}",
  "svg text{font:10px system-ui,sans-serif;fill:#333}",
  "svg .live{fill:#2f6db5}svg .ext{fill:#e2e2e2}svg .mmap{fill:none;stroke:#7b3fa0;stroke-width:1.5}svg .sep{stroke:#999;stroke-dasharray:2 2}",
  "svg .frame{fill:#fafafa;stroke:#bbb}svg .grid{stroke:#e4e4e4}svg .line{fill:none;stroke:#2f6db5;stroke-width:1.5}svg .dot{fill:#2f6db5}",
  "em.hidden{color:#7030a0;font-size:80%}",
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
  const score = `<td class="num" data-score="${c.score}" data-max-score="${c.maxScore}">${formatScoreOf(c.score, c.maxScore)}</td>`;
  return `<tr data-challenge="${escapeXml(c.id, true)}" data-verdict="${c.verdict}"><td><code>${escapeXml(c.id)}</code>${title}</td>${verdictCell(c.verdict)}${score}<td>${metrics}</td></tr>`;
}

function failures(doc: ResultsDocument): string {
  const items = doc.challenges.flatMap((c) =>
    c.failures.map(
      (f) => `<li><code>${escapeXml(c.id)}</code> <span class="${c.verdict}">${c.verdict}</span> ${escapeXml(failureHeading(f))}<pre>${escapeXml(f.message)}</pre></li>`,
    ),
  );
  return items.length === 0 ? "" : `<details><summary>Failures (${items.length})</summary><ul>\n${items.join("\n")}\n</ul></details>`;
}

/** What the submission printed, per challenge (hidden ones carry none in the student view). */
function consoleOutput(doc: ResultsDocument): string {
  const items = doc.challenges
    .filter((c) => (c.output?.length ?? 0) > 0)
    .map((c) => `<li><code>${escapeXml(c.id)}</code> (${c.output!.length} lines)<pre class="console">${escapeXml(c.output!.join("\n"))}</pre></li>`);
  return items.length === 0 ? "" : `<details data-section="console"><summary>Console output (${items.length} challenge${items.length === 1 ? "" : "s"})</summary><ul>\n${items.join("\n")}\n</ul></details>`;
}

function details(doc: ResultsDocument, index: number, audience: Audience): string {
  const shown = doc.challenges.map((c, j) => [c, j] as const).filter(([c]) => hasDetails(c, audience));
  if (shown.length === 0) return "";
  return shown.map(([c, j]) => challengeDetails(c, `s${index}c${j}`)).join("\n");
}

function section(doc: ResultsDocument, index: number, audience: Audience): string {
  const { submission: s, total } = doc;
  return [
    `<section class="submission" data-submission="${escapeXml(s.name, true)}" data-total-score="${total.score}" data-total-max-score="${total.maxScore}">`,
    `<h2>${escapeXml(s.name)} — ${formatScoreOf(total.score, total.maxScore)} (${formatPercent(total.score, total.maxScore)})</h2>`,
    `<p>${escapeXml(s.kind)} <code>${escapeXml(s.file)}</code>, sha256 <code>${escapeXml(s.sha256)}</code>, grader ${escapeXml(doc.grader.version)}</p>`,
    '<table class="results">',
    "<thead><tr><th>Challenge</th><th>Verdict</th><th>Score</th><th>Key metrics</th></tr></thead>",
    "<tbody>",
    ...doc.challenges.map(row),
    "</tbody>",
    "</table>",
    failures(doc),
    consoleOutput(doc),
    details(doc, index, audience),
    "</section>",
  ].join("\n");
}

/** A single static page with one section per submission. */
export const htmlReporter: Reporter = (docs, opts) => {
  const shown = viewFor(docs, opts.audience);
  const title = shown.length === 1 ? `memarena: ${shown[0]!.submission.name}` : `memarena: ${shown.length} submissions`;
  return htmlPage(title, `<h1>${escapeXml(title)}</h1>\n${shown.map((d, i) => section(d, i, opts.audience)).join("\n")}`);
};
