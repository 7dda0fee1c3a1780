/**
 * Reading trace files in any of the three formats (docs/traces.md):
 * `.json` (an array of op objects, checked against the op schema), `.rep`
 * (CS:APP malloc lab) and anything else (the compact text form).
 */
import type { InputProblem } from "../../core/errors";
import { tryParseSize } from "../../core/machine/units";
import type { Op, OpInput } from "../challenge/types";
import type * as Positions from "../challenge/positions";
import type * as Validate from "../challenge/validate";
import { parseCompactTrace, traceError } from "./compact";
import { parseRep } from "./rep";

/**
 * The op validator (ajv) and the positional JSON parser (jsonc-parser), loaded
 * on first use: the sandbox child bundles them, but a run whose workload is
 * not a trace never evaluates them, which keeps its start-up short.
 */
function validation(): typeof Validate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../challenge/validate") as typeof Validate;
}

function positions(): typeof Positions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../challenge/positions") as typeof Positions;
}

/** Trace file formats. */
export type TraceFormat = "json" | "rep" | "compact";

/** The format a trace name implies: .json, .rep, else compact (a nameless text starting with `[` is JSON). */
export function traceFormatOf(name: string, text = ""): TraceFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".rep")) return "rep";
  if (!/\.[a-z0-9]+$/.test(lower) && text.trimStart().startsWith("[")) return "json";
  return "compact";
}

/** A size or address as a number (the op was validated, so it is one). */
function n(v: number | string): number {
  if (typeof v === "number") return v;
  const r = tryParseSize(v);
  if (r === undefined) throw new TypeError(`not a size: ${JSON.stringify(v)}`);
  return r;
}

/** Sizes and addresses written as strings ("4KiB", "0x1000") made numbers; the op must be schema-valid. */
export function resolveOp(op: OpInput): Op {
  switch (op.op) {
    case "spawn": {
      const { base, ...rest } = op;
      return { ...rest, size: n(op.size), ...(base !== undefined ? { base: n(base) } : {}) };
    }
    case "access":
      return { ...op, addr: n(op.addr) };
    case "map": {
      const { pageSize, ...rest } = op;
      return { ...rest, vaddr: n(op.vaddr), ...(pageSize !== undefined ? { pageSize: n(pageSize) } : {}) };
    }
    case "dma":
      return { ...op, length: n(op.length) };
    default:
      return op;
  }
}

/** Resolves every op of a list (see resolveOp). */
export function resolveOps(ops: readonly OpInput[]): Op[] {
  // Most workloads (alloc, free, realloc, ...) have nothing to resolve: the list is copied only from
  // the first op that changes, and a million-op list costs one pass.
  let out: Op[] | undefined;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const r = op.op === "spawn" || op.op === "access" || op.op === "map" || op.op === "dma" ? resolveOp(op) : (op as Op);
    if (out === undefined && r !== op) out = ops.slice(0, i) as Op[];
    out?.push(r);
  }
  return out ?? (ops.slice() as Op[]);
}

/** Parses a JSON trace (an array of op objects); throws INVALID_TRACE with index pointers and lines. */
export function parseJsonTrace(text: string, name: string): Op[] {
  const { truncateJson, validateOpValue } = validation();
  const parsed = positions().parseJsonWithPositions(text, name);
  if (parsed.value === undefined) throw traceError(parsed.problems);
  if (!Array.isArray(parsed.value)) {
    throw traceError([{ file: name, pointer: "", line: 1, column: 1, expected: "a JSON array of op objects", found: truncateJson(parsed.value) }]);
  }
  const problems: InputProblem[] = [...parsed.problems];
  const items = parsed.value as unknown[];
  items.forEach((item, i) => {
    const bad = validateOpValue(item, { file: name, prefix: `/${i}`, locate: parsed.locate });
    problems.push(...bad);
    if (bad.length === 0) {
      for (const key of ["size", "base", "addr", "vaddr", "pageSize", "length"]) {
        const v = (item as Record<string, unknown>)[key];
        if (typeof v === "string" && tryParseSize(v) === undefined) {
          problems.push({ file: name, pointer: `/${i}/${key}`, ...(parsed.locate(`/${i}/${key}`) ?? {}), expected: "must be a whole number of bytes", found: truncateJson(v) });
        }
      }
    }
  });
  if (problems.length > 0) throw traceError(problems);
  return resolveOps(items as OpInput[]);
}

/** Parses a trace in the format its name implies; throws INVALID_TRACE naming the file and line. */
export function parseTrace(text: string, name: string): Op[] {
  switch (traceFormatOf(name, text)) {
    case "json":
      return parseJsonTrace(text, name);
    case "rep":
      return parseRep(text, name).ops;
    case "compact":
      return parseCompactTrace(text, name);
  }
}
