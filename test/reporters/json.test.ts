import { REPORTERS } from "../../graders/reporters";
import type { ResultsDocument } from "../../graders/results";
import { challenge, classDoc, deepFreeze, makeDoc, SECRET } from "./fixtures";

/** The same document built with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

describe("json reporter", () => {
  const doc = deepFreeze(classDoc());
  const out = REPORTERS.json([doc], { audience: "instructor" });

  it("writes one document as an object equal to the input, 2-space indented, with a trailing newline", () => {
    expect(JSON.parse(out)).toEqual(doc);
    expect(out.endsWith("}\n")).toBe(true);
    expect(out.split("\n")[1]).toBe('  "schemaVersion": 1,');
  });

  it("writes several documents as an array", () => {
    const two = JSON.parse(REPORTERS.json([doc, makeDoc("b", [])], { audience: "instructor" }));
    expect(Array.isArray(two)).toBe(true);
    expect(two.map((d: ResultsDocument) => d.submission.name)).toEqual(["my-first-fit", "b"]);
  });

  it("has a stable key order, whatever order the document was built in", () => {
    const shuffled = reversedKeys(doc) as ResultsDocument;
    expect(Object.keys(shuffled)[0]).toBe("total");
    expect(REPORTERS.json([shuffled], { audience: "instructor" })).toBe(out);
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed)).toEqual(["schemaVersion", "grader", "submission", "challengePack", "challenges", "total"]);
    expect(Object.keys(parsed.challenges[0])).toEqual(["id", "title", "topic", "visibility", "verdict", "score", "maxScore", "metrics", "failures", "wallMs"]);
    expect(Object.keys(parsed.challenges[0].metrics)).toEqual(["cyclesPerOp", "pageWalkSteps", "tlbMissRate", "utilization"]);
    expect(Object.keys(parsed.challenges[1].failures[0])).toEqual(["op", "check", "message"]);
  });

  it("differs between two runs only in wallMs lines", () => {
    const again = makeDoc(doc.submission.name, doc.challenges.map((c) => ({ ...c, wallMs: c.wallMs + 1 })));
    const a = out.split("\n");
    const b = REPORTERS.json([again], { audience: "instructor" }).split("\n");
    expect(b).toHaveLength(a.length);
    const differing = a.filter((line, i) => line !== b[i]);
    expect(differing.length).toBe(doc.challenges.length);
    expect(differing.every((line) => /^\s+"wallMs": \d+,?$/.test(line))).toBe(true);
  });

  it("redacts hidden challenges for students only", () => {
    expect(out).toContain(SECRET);
    const student = REPORTERS.json([doc], { audience: "student" });
    expect(student).not.toContain(SECRET);
    expect(JSON.parse(student).challenges[2]).toMatchObject({ id: "heap/secret", verdict: "fail", score: 20, metrics: {}, failures: [] });
  });

  it("keeps a challenge without optional fields free of undefined keys", () => {
    const minimal = JSON.parse(REPORTERS.json([makeDoc("m", [challenge({ id: "a" })])], { audience: "instructor" }));
    expect(Object.keys(minimal.challenges[0])).toEqual(["id", "verdict", "score", "maxScore", "metrics", "failures", "wallMs"]);
  });
});
