/**
 * Loading challenge files: parse with positions, validate against the schema
 * once, check what the schema cannot (machine geometry, trace file present,
 * min <= max, sizes that resolve to whole bytes), and report every problem of
 * every file at once as one INVALID_CHALLENGE error. Past this module the
 * `Challenge` type is trusted.
 */
import { parseTrace } from "../workload/trace";
import { PACKAGE_ROOT } from "../package-root";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode, type InputProblem, MemarenaError, hasCode, inputError } from "../../core/errors";
import { type MachineConfig, normalizeMachine } from "../../core/machine/config";
import { type SizeLike, tryParseSize } from "../../core/machine/units";
import { parseJsonWithPositions } from "./positions";
import type { Challenge, GeneratorSpec, LoadedChallenge } from "./types";
import { didYouMean, sortProblems, truncateJson, validateChallengeValue } from "./validate";

export type { LoadedChallenge };

/** Finds `challenges/<sub>` from this file, in the source tree or in dist/. */
/** The built-in challenge pack: `<topic>/<name>.json`, with `<name>/accepted`, `<name>/rejected` and `traces/`. */
export const BUILTIN_PACK_DIR: string = path.join(PACKAGE_ROOT, "challenges", "pack");

/** The challenge schema file (for `memarena challenge schema` and `$schema` paths). */
export const CHALLENGE_SCHEMA_FILE: string = path.join(PACKAGE_ROOT, "challenges", "challenge.schema.json");

/** Folders that hold a challenge's companions, never challenges. */
const COMPANION_DIRS = new Set(["accepted", "rejected", "traces", "node_modules"]);

/**
 * Loads and validates one challenge file. Throws INVALID_CHALLENGE with
 * `data.problems` (every problem of the file, with pointer, line and column),
 * or IO when the file cannot be read.
 */
export function loadChallengeFile(file: string): LoadedChallenge {
  const abs = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (cause) {
    throw new MemarenaError(ErrorCode.IO, `${file}: cannot read the challenge file`, { file }, { cause });
  }
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const parsed = parseJsonWithPositions(text, file);
  if (parsed.value === undefined) throw inputError(ErrorCode.INVALID_CHALLENGE, parsed.problems);

  const ctx = { file, locate: parsed.locate };
  const problems: InputProblem[] = [...parsed.problems, ...validateChallengeValue(parsed.value, ctx)];
  const at = (pointer: string, expected: string, found?: unknown): void => {
    problems.push({ file, pointer, ...(parsed.locate(pointer) ?? {}), expected, ...(found !== undefined ? { found: truncateJson(found) } : {}) });
  };
  const schemaBad = (prefix: string): boolean => problems.some((p) => p.pointer === prefix || p.pointer.startsWith(prefix + "/"));

  const doc = parsed.value as Record<string, unknown>;
  const dir = path.dirname(abs);
  let traceFile: string | undefined;

  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    if (doc.machine !== undefined && !schemaBad("/machine")) {
      for (const p of machineProblems(doc.machine as MachineConfig, file)) {
        problems.push({ ...p, ...(parsed.locate(p.pointer) ?? {}) });
      }
    }
    const w = doc.workload as Record<string, unknown> | undefined;
    if (w && typeof w === "object" && !schemaBad("/workload")) {
      if (typeof w.trace === "string") {
        const candidate = path.resolve(dir, w.trace);
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) traceFile = candidate;
        else at("/workload/trace", `an existing trace file (relative to ${path.basename(file)}); not found: ${candidate}`, w.trace);
      }
      if (Array.isArray(w.ops)) {
        (w.ops as Record<string, unknown>[]).forEach((op, i) => {
          for (const key of ["size", "base", "addr", "vaddr", "pageSize", "length"]) {
            if (typeof op[key] === "string" && tryParseSize(op[key] as string) === undefined) {
              at(`/workload/ops/${i}/${key}`, "must be a whole number of bytes", op[key]);
            }
          }
        });
      }
      if (w.generate) generatorProblems(w.generate as GeneratorSpec, "/workload/generate", at);
    }
    if (!schemaBad("/limits")) {
      const heap = (doc.limits as { heapBytes?: SizeLike } | undefined)?.heapBytes;
      if (heap !== undefined && !tryParseSize(heap)) at("/limits/heapBytes", "must be a whole number of bytes > 0", heap);
    }
  }

  if (problems.length > 0) throw inputError(ErrorCode.INVALID_CHALLENGE, sortProblems(problems));
  const hash = createHash("sha256").update(bytes);
  let traceText: string | undefined;
  if (traceFile) {
    // A trace is part of the challenge: parsed now (a bad line is the instructor's error, with its line number,
    // before any run) and hashed with the file, so a changed trace is a changed challenge.
    traceText = fs.readFileSync(traceFile, "utf8");
    parseTrace(traceText, traceFile);
    hash.update("\0trace\0").update(traceText);
  }
  const sha256 = hash.digest("hex");
  return { file: abs, dir, challenge: doc as unknown as Challenge, sha256, ...(traceFile ? { traceFile, traceText } : {}) };
}

/** normalizeMachine's problems, pointed at `/machine/...`. */
function machineProblems(machine: MachineConfig, file: string): InputProblem[] {
  try {
    normalizeMachine(machine, file, "/machine");
    return [];
  } catch (e) {
    if (!hasCode(e, ErrorCode.INVALID_MACHINE)) throw e;
    const list = e.data.problems as InputProblem[] | undefined;
    if (list && list.length > 0) return list;
    // A check that reports only a message (e.g. physical memory not a multiple of the page size).
    const m = /(\/machine\/[^\s:]*)\s*:\s*(?:expected )?(.*)$/.exec(e.message);
    return [{ file, pointer: m?.[1] ?? "/machine", expected: m?.[2] ?? e.message }];
  }
}

/** Checks a generator spec for what the schema cannot say (min <= max), recursing into phases. */
function generatorProblems(spec: GeneratorSpec, p: string, at: (pointer: string, expected: string, found?: unknown) => void): void {
  if (spec.kind === "phases") {
    spec.phases.forEach((s, i) => generatorProblems(s, `${p}/phases/${i}`, at));
    return;
  }
  for (const key of ["sizes", "lifetime"] as const) {
    const d = (spec as unknown as Record<string, unknown>)[key] as { min?: number; max?: number } | undefined;
    if (d && d.min !== undefined && d.max !== undefined && d.max < d.min) at(`${p}/${key}/max`, `must be >= min (${d.min})`, d.max);
  }
  if (spec.kind === "frames") {
    for (const key of ["pageSize", "hugePageSize"] as const) {
      const v = spec[key];
      if (v !== undefined) {
        const n = tryParseSize(v);
        if (n === undefined || n <= 0 || (n & (n - 1)) !== 0) at(`${p}/${key}`, "must be a power-of-two size", v);
      }
    }
  }
}

/** True for a file that discovery treats as a challenge. */
function isChallengeFile(name: string): boolean {
  return name.endsWith(".json") && !name.endsWith(".schema.json") && name !== "package.json";
}

/** Every challenge file under `dir`, skipping companion folders. */
function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!COMPANION_DIRS.has(entry.name)) walk(full, out);
    } else if (entry.isFile() && isChallengeFile(entry.name)) {
      out.push(full);
    }
  }
}

/**
 * Loads every challenge in a folder (recursively) or one file, sorted by id.
 * Problems of all files, and duplicate ids (naming both files), are reported
 * together as one INVALID_CHALLENGE error.
 */
export function discoverChallenges(dirOrFile: string): LoadedChallenge[] {
  const abs = path.resolve(dirOrFile);
  if (!fs.existsSync(abs)) {
    throw new MemarenaError(ErrorCode.CHALLENGE_NOT_FOUND, `${dirOrFile}: no such file or folder`, { path: dirOrFile });
  }
  const files: string[] = [];
  if (fs.statSync(abs).isDirectory()) walk(abs, files);
  else files.push(abs);
  files.sort();

  const problems: InputProblem[] = [];
  const loaded: LoadedChallenge[] = [];
  for (const f of files) {
    try {
      loaded.push(loadChallengeFile(f));
    } catch (e) {
      if (!hasCode(e, ErrorCode.INVALID_CHALLENGE)) throw e;
      problems.push(...(e.data.problems as InputProblem[]));
    }
  }
  const byId = new Map<string, LoadedChallenge>();
  for (const c of loaded) {
    const first = byId.get(c.challenge.id);
    if (first) {
      const text = fs.readFileSync(c.file, "utf8");
      const pos = parseJsonWithPositions(text, c.file).locate("/id");
      problems.push({ file: c.file, pointer: "/id", ...(pos ?? {}), expected: `a unique id; "${c.challenge.id}" is also the id of ${first.file}`, found: JSON.stringify(c.challenge.id) });
    } else {
      byId.set(c.challenge.id, c);
    }
  }
  if (problems.length > 0) throw inputError(ErrorCode.INVALID_CHALLENGE, problems);
  return loaded.sort((a, b) => (a.challenge.id < b.challenge.id ? -1 : a.challenge.id > b.challenge.id ? 1 : 0));
}

/**
 * Finds one challenge by file path or by id in the given roots (folders or
 * files; default: the built-in pack). Throws CHALLENGE_NOT_FOUND with close
 * ids as suggestions.
 */
export function findChallenge(idOrPath: string, roots: readonly string[] = [BUILTIN_PACK_DIR]): LoadedChallenge {
  if (fs.existsSync(idOrPath) && fs.statSync(idOrPath).isFile()) return loadChallengeFile(idOrPath);
  if (idOrPath.endsWith(".json")) {
    throw new MemarenaError(ErrorCode.CHALLENGE_NOT_FOUND, `${idOrPath}: no such challenge file`, { id: idOrPath, suggestions: [] });
  }
  // The pack layout puts id `topic/name` at `<root>/topic/name.json`: load it alone when it is there.
  for (const root of roots) {
    if (fs.existsSync(root) && fs.statSync(root).isDirectory()) {
      const direct = path.join(root, `${idOrPath}.json`);
      if (fs.existsSync(direct)) {
        const c = loadChallengeFile(direct);
        if (c.challenge.id === idOrPath) return c;
      }
    }
  }
  const all = roots.filter((r) => fs.existsSync(r)).flatMap((r) => discoverChallenges(r));
  const hit = all.find((c) => c.challenge.id === idOrPath);
  if (hit) return hit;
  const ids = all.map((c) => c.challenge.id);
  const guess = didYouMean(idOrPath, ids);
  throw new MemarenaError(
    ErrorCode.CHALLENGE_NOT_FOUND,
    `no challenge "${idOrPath}"${guess ? ` (did you mean "${guess}"?)` : ""} in ${roots.join(", ")}`,
    { id: idOrPath, suggestions: guess ? [guess] : [] },
  );
}
