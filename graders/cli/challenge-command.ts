/** `memarena challenge list | show | validate | verify | schema`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { MemarenaError, ErrorCode, formatProblem, type InputProblem } from "../../core/errors";
import { PACKAGE_ROOT } from "../builtins";
import { discoverChallenges, loadChallengeFile, type LoadedChallenge } from "../challenge/load";
import { verifyChallenges } from "../verify";
import { EXIT, useColor } from "./output";
import { positiveInt, selectChallenges } from "./select";

/** Lists challenges grouped by topic. */
export function challengeList(flags: { challenges?: string; json?: boolean }): number {
  const all = selectChallenges(flags.challenges ? [flags.challenges] : undefined);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(all.map((l) => ({ id: l.challenge.id, title: l.challenge.title, topic: topicOf(l), subject: l.challenge.subject, difficulty: l.challenge.difficulty, visibility: l.challenge.visibility ?? "public", file: path.relative(process.cwd(), l.file) })), null, 2)}\n`);
    return EXIT.ok;
  }
  const byTopic = new Map<string, LoadedChallenge[]>();
  for (const l of all) byTopic.set(topicOf(l), [...(byTopic.get(topicOf(l)) ?? []), l]);
  const lines: string[] = [];
  for (const [topic, list] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${topic}`);
    for (const l of list) {
      const c = l.challenge;
      const tags = [c.subject ?? "allocator", c.difficulty, c.visibility === "hidden" ? "hidden" : undefined].filter(Boolean).join(", ");
      lines.push(`  ${c.id.padEnd(36)} ${c.title ?? ""}  (${tags})`);
    }
  }
  lines.push(`\n${all.length} challenges in ${byTopic.size} topics`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

function topicOf(l: LoadedChallenge): string {
  return l.challenge.topic ?? l.challenge.id.split("/")[0];
}

/** Shows one challenge. */
export function challengeShow(id: string, flags: { json?: boolean }): number {
  const [l] = selectChallenges([id]);
  if (flags.json) {
    process.stdout.write(fs.readFileSync(l.file, "utf8"));
    return EXIT.ok;
  }
  const c = l.challenge;
  const out = [
    `${c.id} — ${c.title ?? ""}`,
    `subject: ${c.subject ?? "allocator"}   topic: ${topicOf(l)}   difficulty: ${c.difficulty ?? "-"}   visibility: ${c.visibility ?? "public"}`,
    `file: ${path.relative(process.cwd(), l.file)}`,
    "",
    (c.description ?? "").trim(),
    "",
    `machine: ${JSON.stringify(c.machine ?? {})}`,
    `workload: ${"ops" in (c.workload ?? {}) ? `${(c.workload as { ops: unknown[] }).ops.length} inline ops` : JSON.stringify(c.workload)}`,
    `checks: ${JSON.stringify(c.checks ?? {})}`,
    `scoring: ${JSON.stringify(c.scoring ?? {})}`,
    `limits: ${JSON.stringify(c.limits ?? {})}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}

/** Validates challenge files; every problem of every file, then exit 2 if any. */
export function challengeValidate(files: string[]): number {
  const problems: InputProblem[] = [];
  let valid = 0;
  const color = useColor(process.stdout);
  for (const f of files) {
    const targets = fs.existsSync(f) && fs.statSync(f).isDirectory() ? discoverFiles(f) : [f];
    for (const file of targets) {
      try {
        loadChallengeFile(file);
        valid++;
        process.stdout.write(`${color ? "\x1b[32m✓\x1b[0m" : "ok"} ${file}\n`);
      } catch (e) {
        if (!(e instanceof MemarenaError) || !e.userError) throw e;
        const list = (e.data.problems as InputProblem[] | undefined) ?? [{ file, pointer: "", expected: e.message }];
        problems.push(...list);
        process.stdout.write(`${color ? "\x1b[31m✗\x1b[0m" : "FAIL"} ${file}\n`);
        for (const p of list) process.stdout.write(`    ${formatProblem(p)}\n`);
      }
    }
  }
  process.stdout.write(`\n${valid} valid, ${files.length === 0 ? 0 : problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
  return problems.length > 0 ? EXIT.usage : EXIT.ok;
}

function discoverFiles(dir: string): string[] {
  try {
    return discoverChallenges(dir).map((l) => l.file);
  } catch (e) {
    // Invalid files are reported one by one, so fall back to listing them.
    if (!(e instanceof MemarenaError)) throw e;
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory() && !["accepted", "rejected", "traces"].includes(entry.name)) walk(p);
        else if (entry.isFile() && entry.name.endsWith(".json") && !entry.name.endsWith(".schema.json")) out.push(p);
      }
    };
    walk(dir);
    return out.sort();
  }
}

/** Verifies challenges with their reference submissions. */
export async function challengeVerify(ids: string[], flags: { jobs?: string }): Promise<number> {
  const challenges = selectChallenges(ids.length > 0 ? ids : undefined);
  const color = useColor(process.stdout);
  const outcomes = await verifyChallenges(challenges, positiveInt("--jobs", flags.jobs, 1), (o) => {
    const mark = o.ok ? (color ? "\x1b[32m✓\x1b[0m" : "ok  ") : color ? "\x1b[31m✗\x1b[0m" : "FAIL";
    process.stdout.write(`${mark} ${o.challenge} ${o.role}/${path.basename(o.file)}: ${o.reason}\n`);
  });
  const bad = outcomes.filter((o) => !o.ok);
  process.stdout.write(`\n${challenges.length} challenges, ${outcomes.length - bad.length}/${outcomes.length} references as expected\n`);
  return bad.length > 0 ? EXIT.failed : EXIT.ok;
}

/** Prints the challenge schema. */
export function challengeSchema(): number {
  const file = path.join(PACKAGE_ROOT, "challenges", "challenge.schema.json");
  if (!fs.existsSync(file)) throw new MemarenaError(ErrorCode.IO, `${file}: missing`);
  process.stdout.write(fs.readFileSync(file, "utf8"));
  return EXIT.ok;
}
