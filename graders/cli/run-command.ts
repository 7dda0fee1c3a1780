/** `memarena run`: one challenge, one plugin, every op's outcome on request; `--watch` runs it again on every save. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { buildJob, challengeResult, limitsOf } from "../grade";
import { bundlePlugin, loadPlugin, resolveSpec } from "../loader";
import { REPORTERS } from "../reporters";
import { runIsolated } from "../sandbox";
import { resultsDocument } from "../grade";
import { referencesOf } from "../verify";
import { EXIT, interactive, reportError, useColor } from "./output";
import { selectChallenges } from "./select";

/** Flags of `memarena run`. */
export interface RunFlags {
  plugin?: string;
  events?: string;
  json?: boolean;
  watch?: boolean;
}

/** Runs `memarena run`; returns the exit code (with --watch, runs until interrupted). */
export async function runCommand(challengeArg: string, flags: RunFlags): Promise<number> {
  return flags.watch ? watchRuns(challengeArg, flags) : runOnce(challengeArg, flags);
}

async function runOnce(challengeArg: string, flags: RunFlags): Promise<number> {
  const [loaded] = selectChallenges([challengeArg]);
  if (!loaded) throw new MemarenaError(ErrorCode.CHALLENGE_NOT_FOUND, `no challenge "${challengeArg}"`);
  let spec = flags.plugin;
  if (!spec) {
    spec = referencesOf(loaded).accepted[0]?.file;
    if (!spec) throw new MemarenaError(ErrorCode.USAGE, `run: ${loaded.challenge.id} has no accepted reference; name a plugin with --plugin`);
  }
  const plugin = loadPlugin(spec);
  const started = Date.now();
  const result = await runIsolated(buildJob(loaded, plugin, { events: flags.events !== undefined, details: true }), limitsOf(loaded));
  if (flags.events) {
    fs.writeFileSync(flags.events, (result.events ?? []).map((e) => JSON.stringify(e)).join("\n") + ((result.events ?? []).length ? "\n" : ""));
    process.stderr.write(`memarena: wrote ${result.events?.length ?? 0} events to ${flags.events}\n`);
  }
  const doc = resultsDocument(plugin, [challengeResult(loaded, result, Date.now() - started, {})]);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...doc.challenges[0], opsReplayed: result.opsReplayed }, null, 2)}\n`);
  } else {
    // One run is a debugging session: everything the plugin printed comes first, then the verdict.
    const { output, ...rest } = doc.challenges[0]!;
    if (output && output.length > 0) process.stdout.write(`console output (${output.length} line${output.length === 1 ? "" : "s"}):\n${output.map((l) => `  │ ${l}\n`).join("")}\n`);
    process.stdout.write(REPORTERS.console([{ ...doc, challenges: [rest] }], { audience: "instructor", color: useColor(process.stdout) }));
  }
  return result.verdict === "pass" ? EXIT.ok : EXIT.failed;
}

/** Quiet time after the last change before a run starts (editors write a file in several steps). */
const SETTLE_MS = 150;

/**
 * `run --watch`: runs, then again whenever the plugin's files change, as
 * `jest --watch` does. A run that fails, or a plugin that does not compile,
 * prints its verdict or error and the watch goes on. The files watched are
 * the plugin's entry and every file its bundle was made from; their folders
 * are watched (not the files), so editors that save by renaming are seen.
 */
async function watchRuns(challengeArg: string, flags: RunFlags): Promise<number> {
  const spec = flags.plugin;
  if (spec === undefined || spec.startsWith("builtin:")) {
    throw new MemarenaError(ErrorCode.USAGE, "run --watch: name your plugin file with --plugin (there is nothing to watch in a built-in)");
  }
  const entry = resolveSpec(spec).entry;
  let files = new Set<string>([entry]);
  let watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let runs = 0;

  const watch = (): void => {
    for (const w of watchers) w.close();
    const byDir = new Map<string, Set<string>>();
    for (const f of files) {
      const names = byDir.get(path.dirname(f)) ?? new Set<string>();
      names.add(path.basename(f));
      byDir.set(path.dirname(f), names);
    }
    watchers = [...byDir].map(([dir, names]) =>
      fs.watch(dir, (_event, name) => {
        if (name !== null && names.has(name.toString())) schedule();
      }),
    );
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void cycle(), SETTLE_MS);
  };
  const cycle = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    if (runs++ > 0) {
      // On a terminal the screen starts afresh, as jest --watch does; in a log, a rule marks the new run.
      process.stdout.write(interactive(process.stdout) ? "\u001b[2J\u001b[H" : `\n${"─".repeat(20)} change seen: run ${runs} ${"─".repeat(20)}\n\n`);
    }
    try {
      await runOnce(challengeArg, flags);
    } catch (e) {
      reportError(e);
    }
    try {
      files = new Set([entry, ...bundlePlugin(spec).bundle.inputs]);
    } catch {
      // It does not compile: keep watching what it was made of before, and the entry.
    }
    watch();
    process.stdout.write(`\nWatching ${files.size} file${files.size === 1 ? "" : "s"} of ${spec} for changes (Ctrl-C to stop).\n`);
    running = false;
    if (again) {
      again = false;
      schedule();
    }
  };
  await cycle();
  return new Promise<number>(() => {
    // Runs until the process is interrupted.
  });
}
