import { REPORTERS, studentView, validateResults } from "../../graders/reporters";
import type { ResultsDocument } from "../../graders/results";
import { challenge, classDoc, makeDoc } from "./fixtures";

function mutate(edit: (d: any) => void): unknown {
  const d = JSON.parse(JSON.stringify(classDoc()));
  edit(d);
  return d;
}

describe("results-schema.json / validateResults", () => {
  it("accepts the fixture documents, with and without a challenge pack", () => {
    expect(validateResults(classDoc()).errors).toEqual([]);
    const noPack: ResultsDocument = makeDoc("x", [challenge({ id: "a" })]);
    const { challengePack: _omit, ...rest } = noPack;
    expect(validateResults(rest).valid).toBe(true);
    expect(validateResults(makeDoc("empty", [])).valid).toBe(true);
  });

  it("accepts what the json reporter writes, for both audiences", () => {
    for (const audience of ["student", "instructor"] as const) {
      const parsed = JSON.parse(REPORTERS.json([classDoc()], { audience }));
      expect(validateResults(parsed).errors).toEqual([]);
    }
  });

  it("accepts the student view (redaction keeps the shape)", () => {
    expect(validateResults(studentView(classDoc())).valid).toBe(true);
  });

  it.each<[string, (d: any) => void, string]>([
    ["an unknown verdict", (d) => (d.challenges[0].verdict = "passed"), "/challenges/0/verdict"],
    ["a missing wallMs", (d) => delete d.challenges[1].wallMs, "/challenges/1"],
    ["an unknown key (typo)", (d) => (d.challenges[0].wallms = 3), "/challenges/0"],
    ["a non-numeric metric", (d) => (d.challenges[0].metrics.utilization = "91%"), "/challenges/0/metrics/utilization"],
    ["a short sha256", (d) => (d.submission.sha256 = "abc"), "/submission/sha256"],
    ["schemaVersion 2", (d) => (d.schemaVersion = 2), "/schemaVersion"],
    ["a negative op index", (d) => (d.challenges[1].failures[0].op = -1), "/challenges/1/failures/0/op"],
    ["an unknown plugin kind", (d) => (d.submission.kind = "gc"), "/submission/kind"],
    ["a missing total", (d) => delete d.total, "(document)"],
  ])("rejects %s and names where", (_label, edit, pointer) => {
    const result = validateResults(mutate(edit));
    expect(result.valid).toBe(false);
    expect(result.errors.some((e) => e.startsWith(`${pointer}:`))).toBe(true);
  });

  it("names the unknown property", () => {
    const result = validateResults(mutate((d) => (d.grader.commit = "x")));
    expect(result.errors).toContainEqual(expect.stringContaining("(commit)"));
  });
});
