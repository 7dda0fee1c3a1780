import * as fs from "node:fs";
import * as path from "node:path";
import { GENERATOR_KINDS, METRIC_NAMES, OP_NAMES } from "../../graders/challenge/types";
import { CHALLENGE_SCHEMA } from "../../graders/challenge/validate";

const read = (f: string): string => fs.readFileSync(path.join(__dirname, "../../docs", f), "utf8");

describe("docs stay in step with the schema", () => {
  it("challenge-format.md names every top-level field, check and metric", () => {
    const doc = read("challenge-format.md");
    const defs = CHALLENGE_SCHEMA.$defs as Record<string, { properties?: object }>;
    const names = [
      ...Object.keys(CHALLENGE_SCHEMA.properties as object),
      ...Object.keys(defs.checks.properties!),
      ...Object.keys(defs.limits.properties!),
      ...Object.keys(defs.machine.properties!),
      ...METRIC_NAMES,
    ];
    expect(names.filter((n) => !doc.includes(`\`${n}`) && !doc.includes(`${n}\``))).toEqual([]);
  });

  it("traces.md names every op and generator family", () => {
    const doc = read("traces.md");
    expect([...OP_NAMES, ...GENERATOR_KINDS].filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
