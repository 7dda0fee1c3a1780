/**
 * Scoring: a pure function from what a run measured to a score. A challenge's
 * `scoring.components` each take a metric, a weight, a goal (min or max) and
 * either a fixed `target` or a `baseline` (a built-in plugin's value for the
 * same metric on the same challenge). Each component earns a fraction in
 * [0, 1]:
 *   goal max: value / reference        goal min: reference / value
 * (clamped; a value of 0 for a min goal earns 1). The score is
 * maxScore x sum(weight x fraction) / sum(weight). A run that did not pass
 * scores 0; an internal error scores 0 out of 0 (it is not the student's).
 */
import type { Verdict } from "./results";

/** One scoring component as a challenge declares it. */
export interface ScoringComponentSpec {
  readonly metric: string;
  readonly weight: number;
  readonly goal: "min" | "max";
  readonly target?: number;
  readonly baseline?: string;
}

/** A component's contribution, for reports. */
export interface ComponentScore {
  readonly metric: string;
  readonly value: number | null;
  readonly reference: number | null;
  readonly fraction: number;
  readonly weight: number;
}

/** The default points per challenge. */
export const DEFAULT_MAX_SCORE = 100;

/** Scores one run. `baselines` maps "builtin:<name>" to that plugin's metrics on the same challenge. */
export function scoreRun(
  verdict: Verdict,
  metrics: Readonly<Record<string, number>>,
  components: readonly ScoringComponentSpec[] | undefined,
  maxScore: number = DEFAULT_MAX_SCORE,
  baselines: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): { score: number; maxScore: number; components: ComponentScore[] } {
  if (verdict === "internal-error") return { score: 0, maxScore: 0, components: [] };
  if (verdict !== "pass") return { score: 0, maxScore, components: [] };
  if (!components || components.length === 0) return { score: maxScore, maxScore, components: [] };
  const parts: ComponentScore[] = components.map((c) => {
    const value = metrics[c.metric];
    const reference = c.target ?? (c.baseline !== undefined ? baselines[c.baseline]?.[c.metric] : undefined);
    if (value === undefined || !Number.isFinite(value) || reference === undefined || !Number.isFinite(reference)) {
      return { metric: c.metric, value: value ?? null, reference: reference ?? null, fraction: 0, weight: c.weight };
    }
    return { metric: c.metric, value, reference, fraction: componentFraction(c.goal, value, reference), weight: c.weight };
  });
  const totalWeight = parts.reduce((s, p) => s + p.weight, 0);
  const earned = totalWeight > 0 ? parts.reduce((s, p) => s + p.weight * p.fraction, 0) / totalWeight : 1;
  return { score: roundScore(maxScore * earned), maxScore, components: parts };
}

/** The fraction in [0, 1] one component earns. */
export function componentFraction(goal: "min" | "max", value: number, reference: number): number {
  if (goal === "max") {
    if (reference <= 0) return 1;
    return clamp01(value / reference);
  }
  if (value <= 0) return 1;
  if (reference <= 0) return 0;
  return clamp01(reference / value);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Scores are kept to 2 decimals. */
export function roundScore(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A results document's total: the challenges' scores summed (rounded as scores are) and their maxima. */
export function totalOf(challenges: readonly { readonly score: number; readonly maxScore: number }[]): { score: number; maxScore: number } {
  return { score: roundScore(challenges.reduce((s, c) => s + c.score, 0)), maxScore: challenges.reduce((s, c) => s + c.maxScore, 0) };
}
