/**
 * The `memarena` command line (DESIGN.md §7), built with commander. Each
 * command's action lives in its own module; this file only declares flags,
 * help and examples, and maps outcomes to exit codes.
 */
import "reflect-metadata";
import { availableParallelism } from "node:os";
import { Command, CommanderError, Option } from "commander";
import { PLUGIN_KINDS } from "../loader/shape";
import { REPORTER_NAMES } from "../reporters";
import { GRADER_VERSION } from "../version";
import { EXIT, reportError } from "./output";
import { gradeCommand } from "./grade-command";
import { runCommand } from "./run-command";
import { challengeList, challengeSchema, challengeShow, challengeValidate, challengeVerify } from "./challenge-command";
import { initCommand } from "./init-command";
import { leaderboardCommand } from "./leaderboard-command";
import { mergeCommand } from "./merge-command";

const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;

/** Builds the program; `exit` receives the exit code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("memarena")
    .description("Grade memory allocators, sanitizers, placement policies and frame allocators on a simulated machine.")
    .version(GRADER_VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  const wrap =
    <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) =>
    async (...args: A): Promise<void> => {
      try {
        exit(await fn(...args));
      } catch (e) {
        exit(reportError(e));
      }
    };

  program
    .command("grade")
    .description("grade plugins against challenges (default: the built-in pack)")
    .argument("[plugins...]", "plugin files, folders or builtin:<name>")
    .option("-c, --challenges <dir|file|id...>", "challenge folders, files, ids or topics (default: the built-in pack)")
    .addOption(new Option("-r, --reporter <name...>", "reporters").choices(REPORTER_NAMES))
    .option("-o, --out <dir>", "write reporter files here (results.json, junit.xml, summary.md, report.html, gradescope/results.json)")
    .option("--leaderboard <file.db>", "record the results in this leaderboard")
    .option("-j, --jobs <n>", "runs in parallel (default: the number of CPUs)", String(availableParallelism()))
    .option("--shard <i/n>", "grade the i-th of n deterministic slices of the challenges")
    .option("--fail-under <score>", "exit 1 when a submission's total score (percent) is below this")
    .option("--builtins", "grade every built-in reference plugin (the main job of npm start)")
    .option("--ranking", "print the leaderboard ranking after grading")
    .option("--submitter <name>", "the submitter's name on the leaderboard (default: the plugin's name)")
    .addOption(new Option("--audience <who>", "who reads the report").choices(["student", "instructor"]).default("instructor"))
    .option("--details", "record per-op series (heap pictures in the HTML report)")
    .option("--exit-zero", "exit 0 even when challenges fail (grade and record only)")
    .addHelpText(
      "after",
      examples([
        "memarena grade ./my-alloc.ts",
        "memarena grade ./my-alloc.ts -c heap --reporter console junit --out reports/",
        "memarena grade submissions/*.ts --jobs 2 --leaderboard class.db --reporter gradescope --out out/",
        "memarena grade --builtins --leaderboard .memarena/leaderboard.db --ranking",
      ]),
    )
    .action(wrap(gradeCommand));

  program
    .command("run")
    .description("run one challenge and show what happened, op by op")
    .argument("<challenge>", "a challenge id or file")
    .option("-p, --plugin <file>", "the plugin to run (default: the challenge's first accepted reference)")
    .option("-e, --events <file>", "write one JSON line per op with its outcome")
    .option("--json", "print the run's result as JSON")
    .option("-w, --watch", "run again whenever the plugin's files change (Ctrl-C to stop)")
    .addHelpText(
      "after",
      examples([
        "memarena run heap/coalescing --plugin ./my-alloc.ts --events out.jsonl",
        "memarena run heap/binary --plugin ./my-alloc.ts --watch",
        "memarena run paging/protection --json",
      ]),
    )
    .action(wrap(runCommand));

  const challenge = program.command("challenge").description("list, show, validate and verify challenges");
  challenge
    .command("list")
    .description("list challenges grouped by topic")
    .option("-c, --challenges <dir>", "a folder of challenges (default: the built-in pack)")
    .option("--json", "print as JSON")
    .addHelpText("after", examples(["memarena challenge list", "memarena challenge list -c my-course/ --json"]))
    .action(wrap(challengeList));
  challenge
    .command("show")
    .description("show one challenge")
    .argument("<id>", "a challenge id or file")
    .option("--json", "print the challenge file")
    .addHelpText("after", examples(["memarena challenge show heap/coalescing", "memarena challenge show heap/coalescing --json > mine.json"]))
    .action(wrap(challengeShow));
  challenge
    .command("validate")
    .description("check challenge files against the schema; every problem with its file, line and JSON pointer")
    .argument("<files...>", "challenge files or folders")
    .addHelpText("after", examples(["memarena challenge validate challenges/my-course/*.json"]))
    .action(wrap(challengeValidate));
  challenge
    .command("verify")
    .description("run a challenge's accepted/ references (must pass) and rejected/ ones (must fail the named check)")
    .argument("[ids...]", "challenge ids, files or folders (default: the whole built-in pack)")
    .option("-j, --jobs <n>", "runs in parallel", "1")
    .addHelpText("after", examples(["memarena challenge verify", "memarena challenge verify heap/coalescing"]))
    .action(wrap(challengeVerify));
  challenge
    .command("schema")
    .description("print the challenge JSON schema (for editors: \"$schema\")")
    .addHelpText("after", examples(["memarena challenge schema > challenge.schema.json"]))
    .action(wrap(challengeSchema));

  program
    .command("init")
    .description("scaffold a plugin project: a template, a test and a README")
    .argument("<dir>", "the new project's folder")
    .addOption(new Option("-k, --kind <kind>", "plugin kind").choices(PLUGIN_KINDS).default("allocator"))
    .option("--memarena <spec>", "the memarena dependency to write in package.json (default: this installation's folder)")
    .addHelpText("after", examples(["memarena init my-alloc", "memarena init my-san --kind sanitizer"]))
    .action(wrap(initCommand));

  program
    .command("merge")
    .description("merge the results of shards (grade --shard i/n --reporter json) into one document per submission")
    .argument("<results...>", "results.json files from each shard")
    .option("--leaderboard <file.db>", "record the merged results in this leaderboard")
    .addOption(new Option("-r, --reporter <name...>", "reporters").choices(REPORTER_NAMES))
    .option("-o, --out <dir>", "write reporter files here")
    .addOption(new Option("--audience <who>", "who reads the report").choices(["student", "instructor"]).default("instructor"))
    .addHelpText("after", examples(["memarena grade alloc.ts --shard 1/2 --reporter json --out shard1/", "memarena merge shard1/results.json shard2/results.json --leaderboard board.db"]))
    .action(wrap(mergeCommand));

  program
    .command("leaderboard")
    .description("print the leaderboard")
    .option("--db <file>", "the leaderboard file", ".memarena/leaderboard.db")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown", "html"]).default("table"))
    .option("--all", "every entry, not only each submitter's best")
    .option("--anonymize", "show anonymous names")
    .option("-o, --out <file>", "write to a file instead of standard output")
    .addHelpText("after", examples(["memarena leaderboard", "memarena leaderboard --db class.db --format markdown --anonymize", "memarena leaderboard --format html --out leaderboard.html"]))
    .action(wrap(leaderboardCommand));

  return program;
}

/** Runs the CLI with the given arguments (without node and the script). */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; a commander usage error exits 2.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(e);
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
