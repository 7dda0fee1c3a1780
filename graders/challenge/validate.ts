/**
 * Schema validation with messages people can act on: one ajv instance,
 * validators compiled once, and ajv's errors turned into InputProblems
 * ("/workload/ops/12/size: must be integer >= 1, found -4") with positions
 * and "did you mean" suggestions.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { InputProblem } from "../../core/errors";
import schemaJson from "../../challenges/challenge.schema.json";
import type { Position } from "./positions";

/** The challenge schema, as a plain object. */
export const CHALLENGE_SCHEMA: Readonly<Record<string, unknown>> = schemaJson as Record<string, unknown>;
const SCHEMA_ID = String(CHALLENGE_SCHEMA.$id);

type Schema = Record<string, unknown>;

let compiled: { challenge: ValidateFunction; op: ValidateFunction; generator: ValidateFunction } | undefined;

/** The compiled validators (compiled on first use, then shared). */
function validators(): NonNullable<typeof compiled> {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, discriminator: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema(CHALLENGE_SCHEMA as object);
    compiled = {
      challenge: ajv.getSchema(SCHEMA_ID)!,
      op: ajv.getSchema(`${SCHEMA_ID}#/$defs/op`)!,
      generator: ajv.getSchema(`${SCHEMA_ID}#/$defs/generator`)!,
    };
  }
  return compiled;
}

/** Where problems point: the file name and a pointer-to-position function. */
export interface ProblemContext {
  readonly file: string;
  /** Prefix added to every pointer (e.g. "" for a challenge, "" for a trace array). */
  readonly prefix?: string;
  locate(pointer: string, opts?: { key?: boolean }): Position | undefined;
}

/** Validates a whole challenge value; returns every problem (empty when valid). */
export function validateChallengeValue(value: unknown, ctx: ProblemContext): InputProblem[] {
  const v = validators().challenge;
  return v(value) ? [] : toProblems(v.errors ?? [], ctx);
}

/** Validates one trace op value; pointers are prefixed with `ctx.prefix` (e.g. "/12"). */
export function validateOpValue(value: unknown, ctx: ProblemContext): InputProblem[] {
  const v = validators().op;
  return v(value) ? [] : toProblems(v.errors ?? [], ctx);
}

/** Validates a generator spec value. */
export function validateGeneratorValue(value: unknown, ctx: ProblemContext): InputProblem[] {
  const v = validators().generator;
  return v(value) ? [] : toProblems(v.errors ?? [], ctx);
}

/** Renders a JSON value for a message, cut to `max` characters. */
export function truncateJson(value: unknown, max = 60): string {
  const s = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Levenshtein distance, for suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidate to `word`, when one is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

const SIZE_PATTERN = ((CHALLENGE_SCHEMA.$defs as Schema).size as Schema).pattern;
const PATTERN_WORDING: Readonly<Record<string, string>> = {
  [String(SIZE_PATTERN)]: 'a size: integer bytes, or a string such as "4KiB", "2MiB" or "0x1000"',
  "^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)+$": 'an id "topic/name" (lowercase letters, digits, - and _)',
  "^[a-z0-9][a-z0-9-]*$": "lowercase letters, digits and -",
  "^(builtin:[a-z0-9][a-z0-9-]*|[^\\s]+\\.(ts|js|mjs|cjs))$": '"builtin:<name>" or a path to a .ts/.js plugin',
  "^builtin:[a-z0-9][a-z0-9-]*$": '"builtin:<name>"',
  "^(-|[rwug]+)$": 'permission letters from r, w, u, g, or "-"',
};

/** Human wording for what a (sub)schema accepts: "integer >= 1", "one of: a, b". */
export function describeSchema(schema: Schema): string {
  if (Array.isArray(schema.enum)) return `one of: ${schema.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`;
  if ("const" in schema) return JSON.stringify(schema.const);
  if (typeof schema.pattern === "string" && PATTERN_WORDING[schema.pattern]) return PATTERN_WORDING[schema.pattern];
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : [];
  if (types.includes("integer") && types.includes("string")) return "integer >= 0 or string";
  const t = types[0];
  if (t === "integer" || t === "number") {
    const lo = schema.minimum as number | undefined;
    const xlo = schema.exclusiveMinimum as number | undefined;
    const hi = schema.maximum as number | undefined;
    if (lo !== undefined && hi !== undefined) return `${t} from ${lo} to ${hi}`;
    const parts = [t];
    if (lo !== undefined) parts.push(`>= ${lo}`);
    if (xlo !== undefined) parts.push(`> ${xlo}`);
    if (hi !== undefined) parts.push(`<= ${hi}`);
    return parts.join(" ");
  }
  if (t === "string") {
    if (typeof schema.pattern === "string") return `string matching ${schema.pattern}`;
    if (schema.minLength === 1 && schema.maxLength !== undefined) return `non-empty string of at most ${schema.maxLength} characters`;
    if (schema.minLength === 1) return "non-empty string";
    return "string";
  }
  if (t === "boolean") return "true or false";
  if (t === "object") return "an object";
  if (t === "array") return "an array";
  return "a valid value";
}

/** Follows a local `$ref` ("#/$defs/x") in the challenge schema. */
function deref(s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== "string") return s;
  const path = ref.replace(/^.*#/, "").split("/").filter(Boolean);
  let cur: unknown = CHALLENGE_SCHEMA;
  for (const seg of path) cur = (cur as Schema)[seg];
  return cur as Schema;
}

/** The tag values a discriminated oneOf accepts. */
function discriminatorValues(parent: Schema, tag: string): string[] {
  const branches = (parent.oneOf as Schema[] | undefined) ?? [];
  return branches.map((b) => String(((deref(b).properties as Schema)[tag] as Schema).const));
}

const VALUE_KEYWORDS = new Set([
  "type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "const", "pattern", "minLength", "maxLength", "multipleOf",
]);

/** Turns ajv errors into one problem per place, in document order. */
export function toProblems(errors: readonly ErrorObject[], ctx: ProblemContext): InputProblem[] {
  const prefix = ctx.prefix ?? "";
  const out: InputProblem[] = [];
  const push = (pointer: string, expected: string, found: string | undefined, key = false): void => {
    const full = prefix + pointer;
    const pos = ctx.locate(full, { key });
    out.push({ file: ctx.file, pointer: full, ...(pos ?? {}), expected, ...(found !== undefined ? { found } : {}) });
  };

  // A failed oneOf of "required" branches says "exactly one of: a, b, c"; its branch errors add nothing.
  const suppressed = errors
    .filter((e) => e.keyword === "oneOf" || e.keyword === "discriminator")
    .map((e) => ({ path: e.instancePath, schema: `${e.schemaPath.replace(/\/discriminator$/, "/oneOf")}/` }));
  const isSuppressed = (e: ErrorObject): boolean =>
    suppressed.some((s) => e.instancePath === s.path && e.schemaPath.startsWith(s.schema));
  const valueDone = new Set<string>();

  for (const e of errors) {
    if (isSuppressed(e)) continue;
    const data = e.data;
    switch (e.keyword) {
      case "required": {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        push(e.instancePath, `missing required property "${missing}"`, undefined);
        break;
      }
      case "additionalProperties": {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys(((e.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
        const guess = didYouMean(extra, allowed);
        const hint = guess ? ` (did you mean "${guess}"?)` : `; allowed: ${allowed.join(", ")}`;
        push(`${e.instancePath}/${extra.replace(/~/g, "~0").replace(/\//g, "~1")}`, `no property "${extra}" here${hint}`, truncateJson((data as Schema)[extra]), true);
        break;
      }
      case "oneOf": {
        const parent = (e.parentSchema ?? {}) as Schema;
        const branches = ((parent.oneOf as Schema[] | undefined) ?? []).map(deref);
        const keys = branches.map((b) => (Array.isArray(b.required) && Object.keys(b).length === 1 ? String(b.required[0]) : undefined));
        if (keys.every((k) => k !== undefined)) {
          const present = keys.filter((k) => data && typeof data === "object" && k! in (data as Schema));
          push(e.instancePath, `exactly one of: ${keys.join(", ")}`, present.length === 0 ? "none of them" : present.join(" and "));
        } else {
          push(e.instancePath, "a value matching exactly one of the allowed shapes", truncateJson(data));
        }
        break;
      }
      case "discriminator": {
        const { tag, tagValue } = e.params as { tag: string; tagValue?: unknown };
        if (tagValue === undefined) break; // the "required" error already says the tag is missing
        const values = discriminatorValues((e.parentSchema ?? {}) as Schema, tag);
        const guess = typeof tagValue === "string" ? didYouMean(tagValue, values) : undefined;
        push(`${e.instancePath}/${tag}`, `must be one of: ${values.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`, truncateJson(tagValue));
        break;
      }
      case "uniqueItems": {
        const { i, j } = e.params as { i: number; j: number };
        push(e.instancePath, `no repeated items (items ${j} and ${i} are equal)`, truncateJson((data as unknown[])[i]));
        break;
      }
      case "minItems":
        push(e.instancePath, `at least ${(e.params as { limit: number }).limit} item(s)`, truncateJson(data));
        break;
      default: {
        if (VALUE_KEYWORDS.has(e.keyword)) {
          if (valueDone.has(e.instancePath)) break;
          valueDone.add(e.instancePath);
          const parent = (e.parentSchema ?? {}) as Schema;
          let expected = `must be ${describeSchema(parent)}`;
          if (Array.isArray(parent.enum) && typeof data === "string") {
            const guess = didYouMean(data, parent.enum.map(String));
            if (guess) expected += ` (did you mean "${guess}"?)`;
          }
          push(e.instancePath, expected, truncateJson(data));
        } else {
          push(e.instancePath, e.message ?? e.keyword, truncateJson(data));
        }
      }
    }
  }
  return sortProblems(out);
}

/** Orders problems by line and column (problems without a position last), keeping ties stable. */
export function sortProblems(problems: readonly InputProblem[]): InputProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
