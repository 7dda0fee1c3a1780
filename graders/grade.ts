/**
 * Grading: submissions x challenges -> results documents. The path of one run
 * (DESIGN.md §1): the plugin is loaded and bundled here, the run happens in
 * the sandbox, and only data comes back; scoring and the document are pure
 * folds over that data.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { MemarenaError } from "../core/errors";
import type { PluginKind } from "../core/sdk/types";
import type { LoadedChallenge } from "./challenge/load";
import { loadPlugin } from "./loader";
import type { BundledPlugin, RunJob, RunResult } from "./protocol";
import { RESULTS_SCHEMA_VERSION, type ChallengeResult, type ResultsDocument } from "./results";
import { SandboxLane, type SandboxOptions } from "./sandbox";
import { pool } from "./pool";
import { scoreRun, totalOf } from "./scoring";
import { GRADER_VERSION } from "./version";

/** Default limits when a challenge sets none. */
export const DEFAULT_LIMITS = { timeMs: 20_000, memoryMb: 512 } as const;

/** A progress event, for bars and line-oriented logs. */
export type GradeProgress =
  | { readonly type: "start"; readonly total: number }
  | { readonly type: "done"; readonly submission: string; readonly challenge: string; readonly verdict: string; readonly done: number; readonly total: number };

/** What to grade and how. */
export interface GradeRequest {
  /** Plugin specs: files, folders, `builtin:<name>`. */
  readonly plugins: readonly string[];
  readonly challenges: readonly LoadedChallenge[];
  /** The challenges the pack hash names (default: `challenges`; the whole selection when grading a shard). */
  readonly pack?: readonly LoadedChallenge[];
  /** Runs at once (default 1). */
  readonly jobs?: number;
  /** Keep per-op series (for the HTML report). */
  readonly details?: boolean;
  readonly onProgress?: (e: GradeProgress) => void;
  /** Sandbox knobs (tests: e.g. `reuseChildren: false` for a fresh child per run). */
  readonly sandbox?: SandboxOptions;
}

/** A submission that could not be loaded, with the reason (the rest are still graded). */
export interface LoadFailure {
  readonly spec: string;
  readonly error: MemarenaError;
}

/** The outcome of grading. */
export interface GradeOutcome {
  readonly documents: ResultsDocument[];
  readonly loadFailures: LoadFailure[];
}

/** Whether a challenge grades plugins of this kind. */
export function appliesTo(challenge: LoadedChallenge, kind: PluginKind): boolean {
  return (challenge.challenge.subject ?? "allocator") === kind;
}

/** sha256 over the challenges graded (id and file hash, sorted), so a rank names the pack it was earned on. */
export function packHash(challenges: readonly LoadedChallenge[]): string {
  const h = createHash("sha256");
  for (const c of [...challenges].sort((a, b) => a.challenge.id.localeCompare(b.challenge.id))) h.update(`${c.challenge.id}\0${c.sha256}\n`);
  return h.digest("hex");
}

/** Builds the job for one (plugin, challenge) pair; `options.load` loads the plugins the challenge names in `with` (default loadPlugin). */
export function buildJob(
  challenge: LoadedChallenge,
  plugin: BundledPlugin,
  options: { details?: boolean; events?: boolean; load?: (spec: string) => BundledPlugin } = {},
): RunJob {
  const c = challenge.challenge;
  const load = options.load ?? loadPlugin;
  const withPlugins: Record<string, BundledPlugin> = {};
  for (const [role, spec] of Object.entries(c.with ?? {})) {
    if (typeof spec === "string") withPlugins[role] = load(spec);
  }
  return {
    challenge: c,
    traceText: challenge.traceText,
    traceName: challenge.traceFile ? path.basename(challenge.traceFile) : undefined,
    plugin,
    with: Object.keys(withPlugins).length > 0 ? withPlugins : undefined,
    details: options.details,
    events: options.events,
  };
}

/** The limits of a challenge. */
export function limitsOf(challenge: LoadedChallenge): { timeMs: number; memoryMb: number } {
  const l = challenge.challenge.limits ?? {};
  return { timeMs: l.timeMs ?? DEFAULT_LIMITS.timeMs, memoryMb: l.memoryMb ?? DEFAULT_LIMITS.memoryMb };
}

/** Grades every plugin against the challenges that apply to its kind. */
export async function grade(req: GradeRequest): Promise<GradeOutcome> {
  const loadFailures: LoadFailure[] = [];
  const plugins: BundledPlugin[] = [];
  for (const spec of req.plugins) {
    try {
      plugins.push(loadPlugin(spec));
    } catch (e) {
      if (e instanceof MemarenaError && e.userError) loadFailures.push({ spec, error: e });
      else throw e;
    }
  }

  // Baselines and `with` plugins, loaded once per grading (a load re-reads and re-hashes the plugin's files).
  const loadedSpecs = new Map<string, BundledPlugin>();
  const load = (spec: string): BundledPlugin => {
    let p = loadedSpecs.get(spec);
    if (p === undefined) loadedSpecs.set(spec, (p = loadPlugin(spec)));
    return p;
  };

  // Every (plugin, challenge) pair to run, plus the baselines scoring needs.
  const pairs: { plugin: BundledPlugin; challenge: LoadedChallenge }[] = [];
  for (const plugin of plugins) for (const challenge of req.challenges) if (appliesTo(challenge, plugin.kind)) pairs.push({ plugin, challenge });
  const baselineKeys = new Map<string, { plugin: BundledPlugin; challenge: LoadedChallenge }>();
  for (const { challenge } of pairs) {
    for (const comp of challenge.challenge.scoring?.components ?? []) {
      if (comp.baseline === undefined) continue;
      const key = `${comp.baseline}\0${challenge.challenge.id}`;
      if (!baselineKeys.has(key)) baselineKeys.set(key, { plugin: load(comp.baseline), challenge });
    }
  }

  const total = pairs.length + baselineKeys.size;
  let done = 0;
  req.onProgress?.({ type: "start", total });
  // One sandbox lane per worker: a submission's jobs run one after another in a child it keeps.
  const jobs = req.jobs ?? 1;
  const lanes = Array.from({ length: Math.max(1, jobs) }, () => new SandboxLane(req.sandbox));
  const run = async (p: { plugin: BundledPlugin; challenge: LoadedChallenge }, _i: number, worker: number): Promise<{ result: RunResult; wallMs: number }> => {
    const started = Date.now();
    const result = await lanes[worker]!.run(buildJob(p.challenge, p.plugin, { details: req.details, load }), limitsOf(p.challenge));
    done++;
    req.onProgress?.({ type: "done", submission: p.plugin.name, challenge: p.challenge.challenge.id, verdict: result.verdict, done, total });
    return { result, wallMs: Date.now() - started };
  };
  let baselineRuns: { result: RunResult; wallMs: number }[];
  let runs: { result: RunResult; wallMs: number }[];
  try {
    baselineRuns = await pool([...baselineKeys.values()], jobs, run);
    runs = await pool(pairs, jobs, run);
  } finally {
    for (const lane of lanes) lane.close();
  }
  const baselines = new Map<string, Record<string, Readonly<Record<string, number>>>>();
  [...baselineKeys.values()].forEach((b, i) => {
    const id = b.challenge.challenge.id;
    const forChallenge = baselines.get(id) ?? {};
    forChallenge[b.plugin.file] = baselineRuns[i].result.metrics;
    baselines.set(id, forChallenge);
  });

  const packed = req.pack ?? req.challenges;
  const pack = { sha256: packHash(packed), count: packed.length };
  const documents = plugins.map((plugin) => {
    const results: ChallengeResult[] = [];
    pairs.forEach((p, i) => {
      if (p.plugin !== plugin) return;
      results.push(challengeResult(p.challenge, runs[i].result, runs[i].wallMs, baselines.get(p.challenge.challenge.id) ?? {}, req.details));
    });
    return resultsDocument(plugin, results, pack);
  });
  return { documents, loadFailures };
}

/** Folds one run into its challenge result. */
export function challengeResult(
  loaded: LoadedChallenge,
  run: RunResult,
  wallMs: number,
  baselines: Readonly<Record<string, Readonly<Record<string, number>>>>,
  details?: boolean,
): ChallengeResult {
  const c = loaded.challenge;
  const scored = scoreRun(run.verdict, run.metrics, c.scoring?.components, c.scoring?.maxScore, baselines);
  return {
    id: c.id,
    title: c.title,
    topic: c.topic,
    visibility: c.visibility ?? "public",
    verdict: run.verdict,
    score: scored.score,
    maxScore: scored.maxScore,
    metrics: selectMetrics(run.metrics, c.metrics),
    failures: run.failures,
    wallMs,
    ...(run.output && run.output.length > 0 ? { output: run.output } : {}),
    ...(details && run.series ? { series: run.series } : {}),
  };
}

/** The metrics a challenge asked for first, then every other one, in a stable order. */
function selectMetrics(all: Readonly<Record<string, number>>, wanted: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of wanted ?? []) if (all[k] !== undefined) out[k] = all[k];
  for (const k of Object.keys(all).sort()) if (out[k] === undefined) out[k] = all[k];
  return out;
}

/** The results document of one submission. */
export function resultsDocument(plugin: BundledPlugin, challenges: ChallengeResult[], pack?: { sha256: string; count: number }): ResultsDocument {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    grader: { version: GRADER_VERSION },
    submission: { name: plugin.name, kind: plugin.kind, file: plugin.file, sha256: plugin.sha256 },
    ...(pack ? { challengePack: pack } : {}),
    challenges,
    total: totalOf(challenges),
  };
}
