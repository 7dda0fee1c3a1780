/** The gradescope reporter: Gradescope's autograder `results.json`. */
import type { ChallengeResult, ResultsDocument } from "../results";
import {
  failureHeading,
  formatKeyMetrics,
  formatPercent,
  formatScoreOf,
  KEY_METRIC_ORDER,
  metricGoal,
  verdictCounts,
} from "./format";
import { isHidden, studentView } from "./student-view";
import type { Reporter } from "./types";

/** Who sees a Gradescope test, and when. */
export type GradescopeVisibility = "visible" | "hidden" | "after_due_date" | "after_published";

/** One Gradescope test case. */
export interface GradescopeTest {
  readonly name: string;
  readonly score: number;
  readonly max_score: number;
  readonly status: "passed" | "failed";
  readonly output: string;
  readonly visibility: GradescopeVisibility;
  readonly tags?: readonly string[];
}

/** One column of Gradescope's leaderboard. */
export interface GradescopeLeaderboardEntry {
  readonly name: string;
  readonly value: number;
  readonly order?: "asc" | "desc";
}

/** The whole `results.json`. */
export interface GradescopeResults {
  readonly score: number;
  readonly max_score?: number;
  readonly output: string;
  readonly visibility: GradescopeVisibility;
  readonly stdout_visibility: GradescopeVisibility;
  readonly tests: readonly GradescopeTest[];
  readonly leaderboard: readonly GradescopeLeaderboardEntry[];
}

function testOutput(c: ChallengeResult): string {
  if (isHidden(c)) return c.verdict;
  const lines = [`${c.verdict}: ${formatScoreOf(c.score, c.maxScore)}`];
  const metrics = formatKeyMetrics(c, Number.POSITIVE_INFINITY);
  if (metrics !== "") lines.push(metrics);
  for (const f of c.failures) lines.push("", `${failureHeading(f)}:`, f.message);
  return lines.join("\n");
}

function test(c: ChallengeResult): GradescopeTest {
  const tags = !isHidden(c) && c.topic !== undefined && c.topic !== "" ? { tags: [c.topic] } : {};
  return {
    name: c.title !== undefined && c.title !== "" ? `${c.id}: ${c.title}` : c.id,
    score: c.score,
    max_score: c.maxScore,
    status: c.verdict === "pass" ? "passed" : "failed",
    output: testOutput(c),
    visibility: isHidden(c) ? "after_published" : "visible",
    ...tags,
  };
}

/** The first key metric any public challenge reports, averaged over the public challenges that report it. */
export function leaderboardMetric(doc: ResultsDocument): GradescopeLeaderboardEntry | undefined {
  const publicResults = doc.challenges.filter((c) => !isHidden(c));
  const present = new Set(publicResults.flatMap((c) => Object.keys(c.metrics)));
  const name = KEY_METRIC_ORDER.find((m) => present.has(m)) ?? [...present].sort()[0];
  if (name === undefined) return undefined;
  const values = publicResults.map((c) => c.metrics[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { name: `mean ${name}`, value: Number(mean.toPrecision(6)), order: metricGoal(name) === "max" ? "desc" : "asc" };
}

/** The Gradescope results for one document; hidden challenges are always redacted, as the output is shown to students. */
export function gradescopeResults(doc: ResultsDocument): GradescopeResults {
  const shown = studentView(doc);
  const counts = verdictCounts(shown);
  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(", ");
  const metric = leaderboardMetric(shown);
  return {
    score: shown.total.score,
    max_score: shown.total.maxScore,
    output:
      `${shown.submission.name}: ${formatScoreOf(shown.total.score, shown.total.maxScore)} ` +
      `(${formatPercent(shown.total.score, shown.total.maxScore)})${summary !== "" ? `; ${summary}` : ""}`,
    visibility: "visible",
    stdout_visibility: "hidden",
    tests: shown.challenges.map(test),
    leaderboard: [{ name: "score", value: shown.total.score, order: "desc" }, ...(metric !== undefined ? [metric] : [])],
  };
}

/** Gradescope `results.json`: one submission -> the object (what Gradescope reads); several -> an array of them. */
export const gradescopeReporter: Reporter = (docs) => {
  const results = docs.map(gradescopeResults);
  return JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + "\n";
};
