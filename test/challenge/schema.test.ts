import * as fs from "node:fs";
import * as path from "node:path";
import { SCHEMA_KEYS } from "../../graders/challenge/schema-keys";
import { ALIGNMENTS, DIFFICULTIES, EXPECT_KINDS, GENERATOR_KINDS, METRIC_NAMES, OP_NAMES, SUBJECTS } from "../../graders/challenge/types";
import { CHALLENGE_SCHEMA, describeSchema, didYouMean } from "../../graders/challenge/validate";
import { CHALLENGE_SCHEMA_FILE, loadChallengeFile } from "../../graders/challenge/load";

type S = Record<string, unknown>;
const defs = CHALLENGE_SCHEMA.$defs as Record<string, S>;

/** Every subschema with its pointer inside the schema. */
function walk(s: unknown, p: string, visit: (s: S, p: string) => void): void {
  if (!s || typeof s !== "object") return;
  if (Array.isArray(s)) {
    s.forEach((x, i) => walk(x, `${p}/${i}`, visit));
    return;
  }
  visit(s as S, p);
  for (const [k, v] of Object.entries(s as S)) {
    if (k === "enum" || k === "const" || k === "default" || k === "examples" || k === "required") continue;
    if (k === "properties") for (const [name, sub] of Object.entries(v as S)) walk(sub, `${p}/properties/${name}`, visit);
    else walk(v, `${p}/${k}`, visit);
  }
}

describe("challenge.schema.json", () => {
  it("is the file the loader uses, with a $id and draft 2020-12", () => {
    expect(JSON.parse(fs.readFileSync(CHALLENGE_SCHEMA_FILE, "utf8"))).toEqual(CHALLENGE_SCHEMA);
    expect(CHALLENGE_SCHEMA.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(typeof CHALLENGE_SCHEMA.$id).toBe("string");
  });

  it("describes every property (editor help through $schema)", () => {
    const missing: string[] = [];
    walk(CHALLENGE_SCHEMA, "", (s, p) => {
      for (const [name, sub] of Object.entries((s.properties as Record<string, S>) ?? {})) {
        if (typeof sub.description !== "string" || sub.description.length < 3) {
          const target = typeof sub.$ref === "string" ? defs[sub.$ref.split("/").pop()!] : undefined;
          if (!target || typeof target.description !== "string") missing.push(`${p}/properties/${name}`);
        }
      }
    });
    expect(missing).toEqual([]);
  });

  it("closes every object with additionalProperties: false", () => {
    const open: string[] = [];
    walk(CHALLENGE_SCHEMA, "", (s, p) => {
      if (s.properties && s.additionalProperties !== false) open.push(p);
    });
    expect(open).toEqual([]);
  });

  it("lists exactly the keys of the TypeScript types, object by object", () => {
    const fromSchema: Record<string, string[]> = {};
    walk(CHALLENGE_SCHEMA, "", (s, p) => {
      if (s.properties) fromSchema[p] = Object.keys(s.properties as S).sort();
    });
    expect(Object.keys(fromSchema).sort()).toEqual(Object.keys(SCHEMA_KEYS).sort());
    for (const [p, keys] of Object.entries(fromSchema)) expect({ p, keys }).toEqual({ p, keys: [...SCHEMA_KEYS[p]].sort() });
  });

  it("has the same enums as the TypeScript tuples", () => {
    const root = CHALLENGE_SCHEMA.properties as Record<string, S>;
    expect(root.subject.enum).toEqual([...SUBJECTS]);
    expect(root.difficulty.enum).toEqual([...DIFFICULTIES]);
    expect((defs.metricName as unknown as { anyOf: { enum?: string[] }[] }).anyOf[0].enum).toEqual([...METRIC_NAMES]);
    expect(defs.expect.enum).toEqual([...EXPECT_KINDS]);
    expect((defs.checks.properties as Record<string, S>).alignment.enum).toEqual([...ALIGNMENTS]);
    const opConsts = (defs.op.oneOf as S[]).map((r) => ((defs[String(r.$ref).split("/").pop()!].properties as Record<string, S>).op as S).const);
    expect(opConsts).toEqual([...OP_NAMES]);
    const genConsts = (defs.generator.oneOf as S[]).map((r) => ((defs[String(r.$ref).split("/").pop()!].properties as Record<string, S>).kind as S).const);
    expect(genConsts).toEqual([...GENERATOR_KINDS]);
  });

  it("loads every valid fixture", () => {
    const dir = path.join(__dirname, "../fixtures/challenges/valid");
    const files = ["heap/coalescing.json", "tlb/huge.json", "trace/malloc-lab.json"];
    for (const f of files) expect(loadChallengeFile(path.join(dir, f)).challenge.id).toMatch(/^[a-z]+\//);
  });
});

describe("wording helpers", () => {
  it("describes numbers, enums and sizes in plain words", () => {
    expect(describeSchema({ type: "integer", minimum: 1 })).toBe("integer >= 1");
    expect(describeSchema({ type: "integer", minimum: 12, maximum: 52 })).toBe("integer from 12 to 52");
    expect(describeSchema({ enum: ["a", "b"] })).toBe("one of: a, b");
    expect(describeSchema(defs.size)).toMatch(/4KiB/);
  });
  it("suggests close names only", () => {
    expect(didYouMean("sise", ["size", "align"])).toBe("size");
    expect(didYouMean("Subject", ["subject"])).toBe("subject");
    expect(didYouMean("zzzzzz", ["size", "align"])).toBeUndefined();
  });
});
