/** The junit reporter: testsuites > testsuite per submission > testcase per challenge. */
import type { ChallengeResult, ResultsDocument } from "../results";
import { failureHeading, formatScoreOf, isErrorVerdict } from "./format";
import { viewFor } from "./student-view";
import type { Reporter } from "./types";
import { escapeXml, xmlAttrs } from "./xml";

/** Seconds with millisecond precision, as JUnit consumers expect. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** `topic`, or the id up to its last "/" (`heap/coalescing` -> `heap`), or the id itself. */
export function junitClassname(c: ChallengeResult): string {
  if (c.topic !== undefined && c.topic !== "") return c.topic;
  const slash = c.id.lastIndexOf("/");
  return slash > 0 ? c.id.slice(0, slash) : c.id;
}

function failureBody(c: ChallengeResult): string {
  return c.failures.map((f) => `${failureHeading(f)}: ${f.message}`).join("\n\n");
}

function testcase(c: ChallengeResult): string {
  const attrs = xmlAttrs([
    ["classname", junitClassname(c)],
    ["name", c.id],
    ["time", seconds(c.wallMs)],
  ]);
  const inner: string[] = [];
  if (c.verdict !== "pass") {
    const first = c.failures[0];
    const element = isErrorVerdict(c.verdict) ? "error" : "failure";
    const message = first !== undefined ? `${c.verdict}: ${failureHeading(first)}: ${first.message}` : c.verdict;
    const type = first?.check ?? c.verdict;
    inner.push(`      <${element}${xmlAttrs([["message", message], ["type", type]])}>${escapeXml(failureBody(c))}</${element}>`);
  }
  // The submission's console output follows the score, as a test runner's captured stdout.
  const out = [`score ${formatScoreOf(c.score, c.maxScore)}`, ...(c.output ?? [])].join("\n");
  inner.push(`      <system-out>${escapeXml(out)}</system-out>`);
  return `    <testcase${attrs}>\n${inner.join("\n")}\n    </testcase>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  ms: number;
}

function counts(doc: ResultsDocument): Counts {
  let failures = 0;
  let errors = 0;
  let ms = 0;
  for (const c of doc.challenges) {
    if (c.verdict === "fail") failures += 1;
    else if (isErrorVerdict(c.verdict)) errors += 1;
    ms += c.wallMs;
  }
  return { tests: doc.challenges.length, failures, errors, ms };
}

function countAttrs(k: Counts): ReadonlyArray<readonly [string, string | number]> {
  return [
    ["tests", k.tests],
    ["failures", k.failures],
    ["errors", k.errors],
    ["skipped", 0],
    ["time", seconds(k.ms)],
  ];
}

function testsuite(doc: ResultsDocument): string {
  const k = counts(doc);
  const props: Array<readonly [string, string]> = [
    ["grader.version", doc.grader.version],
    ["submission.kind", doc.submission.kind],
    ["submission.file", doc.submission.file],
    ["submission.sha256", doc.submission.sha256],
    ["total.score", String(doc.total.score)],
    ["total.maxScore", String(doc.total.maxScore)],
  ];
  if (doc.challengePack !== undefined) props.push(["challengePack.sha256", doc.challengePack.sha256]);
  const lines = [
    `  <testsuite${xmlAttrs([["name", doc.submission.name], ...countAttrs(k)])}>`,
    "    <properties>",
    ...props.map(([name, value]) => `      <property${xmlAttrs([["name", name], ["value", value]])}/>`),
    "    </properties>",
    ...doc.challenges.map(testcase),
    "  </testsuite>",
  ];
  return lines.join("\n");
}

/** JUnit XML: `fail` -> `<failure type=check>`, error/timeout/memory-limit/internal-error -> `<error>`; time in seconds from wallMs. */
export const junitReporter: Reporter = (docs, opts) => {
  const shown = viewFor(docs, opts.audience);
  const all = shown.map(counts).reduce(
    (a, b) => ({ tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, ms: a.ms + b.ms }),
    { tests: 0, failures: 0, errors: 0, ms: 0 },
  );
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttrs([["name", "memarena"], ...countAttrs(all).filter(([k]) => k !== "skipped")])}>`,
    ...shown.map(testsuite),
    "</testsuites>",
  ];
  return lines.join("\n") + "\n";
};
