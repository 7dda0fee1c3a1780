/** The json reporter: the results document with a stable key order, 2-space indent. */
import type { ResultsDocument } from "../results";
import { viewFor } from "./student-view";
import type { Reporter } from "./types";

/** Key order of the known objects, by their place in the document; unknown keys follow, sorted. */
const KEY_ORDER: Readonly<Record<string, readonly string[]>> = {
  document: ["schemaVersion", "grader", "submission", "challengePack", "challenges", "total"],
  grader: ["version"],
  submission: ["name", "kind", "file", "sha256"],
  challengePack: ["sha256", "count"],
  challenge: ["id", "title", "topic", "visibility", "verdict", "score", "maxScore", "metrics", "failures", "wallMs", "series"],
  failure: ["op", "check", "message", "data"],
  total: ["score", "maxScore"],
};

/** Where an object's children sit: which KEY_ORDER entry applies to the value under each key. */
const CHILD_KIND: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  document: { grader: "grader", submission: "submission", challengePack: "challengePack", challenges: "challenge", total: "total" },
  challenge: { failures: "failure" },
};

function ordered(value: unknown, kind: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, kind));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const known = kind !== undefined ? (KEY_ORDER[kind] ?? []) : [];
  const keys = [...known.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !known.includes(k)).sort()];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    out[k] = ordered(obj[k], kind !== undefined ? CHILD_KIND[kind]?.[k] : undefined);
  }
  return out;
}

/** The document with every object's keys in the canonical order (known keys as in DESIGN.md §6, the rest sorted). */
export function canonicalResults(doc: ResultsDocument): ResultsDocument {
  return ordered(doc, "document") as ResultsDocument;
}

/** One submission: the document; several: an array of them. Stable key order, 2-space indent, trailing newline. */
export const jsonReporter: Reporter = (docs, opts) => {
  const shown = viewFor(docs, opts.audience).map(canonicalResults);
  return JSON.stringify(shown.length === 1 ? shown[0] : shown, null, 2) + "\n";
};
