/** Number, metric and verdict formatting shared by the text reporters. */
import type { ChallengeResult, Failure, ResultsDocument, Verdict } from "../results";

/** Metrics shown first when a challenge has them, in this order; others follow by name. */
export const KEY_METRIC_ORDER: readonly string[] = [
  "utilization",
  "cyclesPerOp",
  "tlbMissRate",
  "internalFragmentation",
  "externalFragmentation",
  "tlbHitRate",
  "detectionRate",
  "bounceBytes",
  "compactionBytesMoved",
];

/** "max" when larger is better (utilization, hit rates, detections); costs, misses and fragmentation are "min". */
export function metricGoal(name: string): "max" | "min" {
  return /utilization|hitRate|detection|truePositive/i.test(name) ? "max" : "min";
}

/** Up to `n` metric names of a challenge, key metrics first, then the rest alphabetically. */
export function keyMetrics(c: ChallengeResult, n = 3): string[] {
  const names = Object.keys(c.metrics);
  const preferred = KEY_METRIC_ORDER.filter((m) => names.includes(m));
  const rest = names.filter((m) => !KEY_METRIC_ORDER.includes(m)).sort();
  return [...preferred, ...rest].slice(0, n);
}

/** A score: at most two decimals, no trailing zeros, never "-0". */
export function formatScore(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Math.round(x * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** `score / max`. */
export function formatScoreOf(score: number, maxScore: number): string {
  return `${formatScore(score)} / ${formatScore(maxScore)}`;
}

/** Score as a percentage of max (one decimal), or "-" when max is 0. */
export function formatPercent(score: number, maxScore: number): string {
  return maxScore > 0 ? `${(Math.round((score / maxScore) * 1000) / 10).toFixed(1)}%` : "-";
}

/** A metric value: ratios (rates, utilization, fragmentation in [0, 1]) as percentages, others with 4 significant digits. */
export function formatMetric(name: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (/utilization|rate|fragmentation/i.test(name) && value >= 0 && value <= 1) {
    return `${(value * 100).toFixed(1)}%`;
  }
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** `name value` for the key metrics of a challenge, joined by ", ". */
export function formatKeyMetrics(c: ChallengeResult, n = 3): string {
  return keyMetrics(c, n)
    .map((m) => `${m} ${formatMetric(m, c.metrics[m] as number)}`)
    .join(", ");
}

/** The failure as one heading: `overlap at op 1234`. */
export function failureHeading(f: Failure): string {
  return f.op !== undefined ? `${f.check} at op ${f.op}` : f.check;
}

/** Counts of each verdict in a document. */
export function verdictCounts(doc: ResultsDocument): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, error: 0, timeout: 0, "memory-limit": 0, "internal-error": 0 };
  for (const c of doc.challenges) counts[c.verdict] += 1;
  return counts;
}

/** True for verdicts where the run did not finish normally (JUnit `<error>`). */
export function isErrorVerdict(v: Verdict): boolean {
  return v === "error" || v === "timeout" || v === "memory-limit" || v === "internal-error";
}
