/** `memarena run`: one challenge, one plugin, every op's outcome on request. */
import * as fs from "node:fs";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { buildJob, challengeResult, limitsOf } from "../grade";
import { loadPlugin } from "../loader";
import { REPORTERS } from "../reporters";
import { runIsolated } from "../sandbox";
import { resultsDocument } from "../grade";
import { referencesOf } from "../verify";
import { EXIT, useColor } from "./output";
import { selectChallenges } from "./select";

/** Flags of `memarena run`. */
export interface RunFlags {
  plugin?: string;
  events?: string;
  json?: boolean;
}

/** Runs `memarena run`; returns the exit code. */
export async function runCommand(challengeArg: string, flags: RunFlags): Promise<number> {
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
