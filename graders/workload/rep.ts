/**
 * CS:APP malloc-lab `.rep` traces, read as they are:
 *
 *   <suggested heap size>      header line 1 (ignored by the replay; kept in the header)
 *   <number of ids>            ids are 0 .. n-1
 *   <number of ops>            must equal the op lines that follow
 *   <weight>                   0 or 1 in the lab (kept in the header)
 *   a <id> <bytes>             malloc
 *   f <id>                     free
 *   r <id> <bytes>             realloc
 *
 * Blank lines are skipped. Errors are INVALID_TRACE with file and line.
 */
import type { InputProblem } from "../../core/errors";
import type { Op } from "../challenge/types";
import { traceError } from "./compact";

/** The four header numbers of a .rep file. */
export interface RepHeader {
  readonly suggestedHeapBytes: number;
  readonly ids: number;
  readonly ops: number;
  readonly weight: number;
}

/** Parses a .rep file into its header and ops; throws INVALID_TRACE listing every bad line. */
export function parseRep(text: string, name: string): { header: RepHeader; ops: Op[] } {
  const problems: InputProblem[] = [];
  const bad = (line: number, expected: string, found: string, pointer = ""): void => {
    problems.push({ file: name, pointer, line, column: 1, expected, found: JSON.stringify(found) });
  };
  const lines = text.split(/\r?\n/).map((t, i) => ({ t: t.trim(), n: i + 1 })).filter((l) => l.t !== "");
  const headerNames = ["the suggested heap size", "the number of ids", "the number of ops", "the weight"];
  const header: number[] = [];
  for (let i = 0; i < 4; i++) {
    const l = lines[i];
    if (!l) {
      bad(text.split(/\r?\n/).length, `header line ${i + 1}: ${headerNames[i]} (a .rep file starts with 4 number lines)`, "end of file");
      throw traceError(problems);
    }
    if (!/^\d+(\.\d+)?$/.test(l.t)) bad(l.n, `header line ${i + 1}: ${headerNames[i]}, a non-negative number`, l.t);
    header.push(Number(l.t));
  }
  const [suggestedHeapBytes, ids, count, weight] = header;
  const ops: Op[] = [];
  for (const l of lines.slice(4)) {
    const index = ops.length;
    const f = l.t.split(/\s+/);
    const int = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
    const id = int(f[1]);
    if (id === undefined || (Number.isInteger(ids) && id >= ids)) {
      bad(l.n, `an id from 0 to ${ids - 1} (the header says ${ids} ids)`, l.t, `/${index}/id`);
      continue;
    }
    if (f[0] === "f" && f.length === 2) {
      ops.push({ op: "free", id });
    } else if ((f[0] === "a" || f[0] === "r") && f.length === 3) {
      const size = int(f[2]);
      if (size === undefined || size < 1) {
        bad(l.n, "a size in bytes, integer >= 1", l.t, `/${index}/size`);
        continue;
      }
      ops.push(f[0] === "a" ? { op: "alloc", id, size } : { op: "realloc", id, size });
    } else {
      bad(l.n, "an op line: a <id> <bytes>, f <id> or r <id> <bytes>", l.t, `/${index}`);
    }
  }
  const opLines = lines.length - 4;
  if (problems.length === 0 && opLines !== count) {
    bad(lines[2].n, `the number of ops in the file (${opLines})`, String(count));
  }
  if (problems.length > 0) throw traceError(problems);
  return { header: { suggestedHeapBytes, ids, ops: count, weight }, ops };
}

/** Renders ops as a .rep file (alloc, free and realloc only). */
export function formatRep(ops: readonly Op[], weight = 1): string {
  let maxId = -1;
  let peak = 0;
  let live = 0;
  const sizes = new Map<number, number>();
  const body: string[] = [];
  for (const op of ops) {
    if (op.op === "alloc" || op.op === "realloc") {
      maxId = Math.max(maxId, op.id);
      live += op.size - (sizes.get(op.id) ?? 0);
      sizes.set(op.id, op.size);
      peak = Math.max(peak, live);
      body.push(`${op.op === "alloc" ? "a" : "r"} ${op.id} ${op.size}`);
    } else if (op.op === "free") {
      live -= sizes.get(op.id) ?? 0;
      sizes.delete(op.id);
      body.push(`f ${op.id}`);
    } else {
      throw new TypeError(`formatRep: a .rep file holds alloc, free and realloc only, not ${op.op}`);
    }
  }
  return [String(peak), String(maxId + 1), String(body.length), String(weight), ...body].join("\n") + "\n";
}
