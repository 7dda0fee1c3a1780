/**
 * Progress while grading: a bar on an interactive terminal (done / total,
 * the current challenge, elapsed), one plain line per finished run otherwise
 * (CI logs, pipes), in the manner of Jest's PASS/FAIL lines.
 */
import { SingleBar } from "cli-progress";
import type { GradeProgress } from "../grade";

const VERDICT_LABEL: Record<string, string> = {
  pass: "PASS",
  fail: "FAIL",
  error: "ERROR",
  timeout: "TIMEOUT",
  "memory-limit": "MEMORY",
  "internal-error": "INTERNAL",
};

/** Makes the progress callback for a stream. */
export function progressReporter(stream: NodeJS.WriteStream, tty: boolean, color: boolean): (e: GradeProgress | { type: "end" }) => void {
  let bar: SingleBar | undefined;
  return (e) => {
    if (e.type === "start") {
      if (tty && e.total > 1) {
        bar = new SingleBar({ stream, format: "grading [{bar}] {value}/{total} | {duration_formatted} | {current}", hideCursor: true, clearOnComplete: true });
        bar.start(e.total, 0, { current: "" });
      }
      return;
    }
    if (e.type === "end") {
      bar?.stop();
      return;
    }
    if (bar) {
      bar.update(e.done, { current: `${e.submission} ${e.challenge}` });
      return;
    }
    const label = VERDICT_LABEL[e.verdict] ?? e.verdict.toUpperCase();
    const painted = color ? `\x1b[${e.verdict === "pass" ? "32" : "31"}m${label}\x1b[0m` : label;
    stream.write(`${painted} ${e.submission} ${e.challenge} (${e.done}/${e.total})\n`);
  };
}
