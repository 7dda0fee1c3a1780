/** The markdown reporter: a GitHub job-summary table per submission, failures folded in <details>. */
import type { ChallengeResult, ResultsDocument, Verdict } from "../results";
import { failureHeading, formatKeyMetrics, formatPercent, formatScoreOf, verdictCounts } from "./format";
import { isHidden, viewFor } from "./student-view";
import type { Reporter } from "./types";
import { escapeXml } from "./xml";

/** The emoji shown for each verdict. */
export const VERDICT_EMOJI: Readonly<Record<Verdict, string>> = {
  pass: "✅",
  fail: "❌",
  error: "💥",
  timeout: "⏱️",
  "memory-limit": "🧱",
  "internal-error": "⚠️",
};

/** Escapes text for one GitHub table cell: no raw HTML, no pipes, no line breaks. */
export function markdownCell(text: string): string {
  return escapeXml(text)
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** A fenced code block that no backtick run inside `text` can close early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function tableRow(c: ChallengeResult): string {
  const title = c.title !== undefined && c.title !== "" ? ` ${markdownCell(c.title)}` : "";
  const metrics = [isHidden(c) ? "_hidden_" : "", markdownCell(formatKeyMetrics(c))].filter((t) => t !== "").join(" ");
  return `| ${VERDICT_EMOJI[c.verdict]} | \`${c.id.replace(/`/g, "'")}\`${title} | ${c.verdict} | ${formatScoreOf(c.score, c.maxScore)} | ${metrics} |`;
}

function details(doc: ResultsDocument): string[] {
  const failing = doc.challenges.filter((c) => c.failures.length > 0);
  if (failing.length === 0) return [];
  const n = failing.reduce((sum, c) => sum + c.failures.length, 0);
  const out = ["", `<details><summary>Failures (${n})</summary>`, ""];
  for (const c of failing) {
    for (const f of c.failures) {
      out.push(`**${markdownCell(c.id)}** — ${c.verdict}: \`${failureHeading(f).replace(/`/g, "'")}\``, "");
      out.push(fenced(f.message), "");
    }
  }
  out.push("</details>");
  return out;
}

function renderOne(doc: ResultsDocument): string {
  const counts = verdictCounts(doc);
  const summary = (Object.keys(counts) as Verdict[])
    .filter((v) => counts[v] > 0)
    .map((v) => `${VERDICT_EMOJI[v]} ${counts[v]} ${v}`)
    .join(" · ");
  const { total } = doc;
  const out = [
    `### ${markdownCell(doc.submission.name)} — ${formatScoreOf(total.score, total.maxScore)} (${formatPercent(total.score, total.maxScore)})`,
    "",
    `${markdownCell(doc.submission.kind)} \`${doc.submission.file.replace(/`/g, "'")}\` · grader ${markdownCell(doc.grader.version)}${summary !== "" ? ` · ${summary}` : ""}`,
    "",
    "| | Challenge | Verdict | Score | Key metrics |",
    "|:-:|---|---|--:|---|",
    ...doc.challenges.map(tableRow),
    ...details(doc),
  ];
  return out.join("\n");
}

/** GitHub-flavored Markdown for `$GITHUB_STEP_SUMMARY`: one table per submission, full failure messages in <details>. */
export const markdownReporter: Reporter = (docs, opts) =>
  viewFor(docs, opts.audience).map(renderOne).join("\n\n") + "\n";
