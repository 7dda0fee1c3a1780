/**
 * The parent <-> child protocol. One request goes in on stdin (JSON); the
 * child answers with lines `@@memarena <json>` on stdout: `ready` once it is
 * hardened (the wall-time limit starts then), then exactly one answer.
 * Only data crosses.
 */
import type { ShapeOk, ShapeProblems } from "../loader/shape";
import type { BundledPlugin, RunJob, RunResult } from "../protocol";
import type { PluginFaultData } from "./guard";

/** What the parent asks. */
export type ChildRequest =
  | { readonly mode: "run"; readonly job: RunJob }
  | { readonly mode: "inspect"; readonly plugin: Pick<BundledPlugin, "code" | "file" | "name"> };

/** What the child answers. */
export type ChildMessage =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly result: RunResult }
  | { readonly type: "inspected"; readonly shape: ShapeOk | ShapeProblems }
  | { readonly type: "fault"; readonly fault: PluginFaultData; readonly memory?: boolean }
  | { readonly type: "internal"; readonly message: string };

/** Prefix of every protocol line (other output is kept for diagnostics only). */
export const MESSAGE_PREFIX = "@@memarena ";

/** Prefix of a progress line on the child's stderr: the workload index of the op that starts follows. */
export const PROGRESS_PREFIX = "@@memarena-op ";

/** Prefix of a console line streamed on the child's stderr: the line follows as a JSON string. */
export const OUTPUT_PREFIX = "@@memarena-out ";

/** The vm file name a plugin bundle is evaluated under (stack lines are recognized by it). */
export function bundleFilename(file: string): string {
  return `plugin-bundle:${file}`;
}

/** The protocol message on one line of a child's stdout, or undefined for other output and torn lines. */
export function parseMessageLine(line: string): ChildMessage | undefined {
  if (!line.startsWith(MESSAGE_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(MESSAGE_PREFIX.length)) as ChildMessage;
  } catch {
    return undefined;
  }
}

/** Parses the protocol lines out of a child's stdout. */
export function parseMessages(stdout: string): ChildMessage[] {
  return stdout.split("\n").flatMap((line) => parseMessageLine(line) ?? []);
}
