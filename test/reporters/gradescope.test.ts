import { REPORTERS } from "../../graders/reporters";
import type { GradescopeResults } from "../../graders/reporters/gradescope";
import { challenge, classDoc, deepFreeze, makeDoc, NASTY_MESSAGE, SECRET } from "./fixtures";

describe("gradescope reporter", () => {
  const doc = deepFreeze(classDoc());
  const text = REPORTERS.gradescope([doc], { audience: "instructor" });
  const results = JSON.parse(text) as GradescopeResults;

  it("has Gradescope's top-level fields", () => {
    expect(results).toMatchObject({ score: 107.5, max_score: 700, visibility: "visible", stdout_visibility: "hidden" });
    expect(results.output).toContain("my-first-fit: 107.5 / 700 (15.4%)");
    expect(Object.keys(results).sort()).toEqual(["leaderboard", "max_score", "output", "score", "stdout_visibility", "tests", "visibility"]);
  });

  it("has one test per challenge with score, max_score, status and visibility", () => {
    expect(results.tests).toHaveLength(doc.challenges.length);
    expect(results.tests.map((t) => t.status)).toEqual(["passed", "failed", "failed", "failed", "failed", "failed", "failed"]);
    expect(results.tests[0]).toMatchObject({
      name: "heap/coalescing: Coalescing under churn",
      score: 87.5,
      max_score: 100,
      visibility: "visible",
      tags: ["heap"],
    });
    expect(results.tests[1]!.output).toContain(`overlap at op 1234:\n${NASTY_MESSAGE}`);
    expect(results.tests[1]!.output).toContain("utilization 50.0%");
    for (const t of results.tests) expect(["visible", "hidden", "after_due_date", "after_published"]).toContain(t.visibility);
  });

  it("publishes hidden challenges after grades are published, with the verdict as their only output, whatever the audience", () => {
    const hidden = results.tests[2]!;
    expect(hidden).toEqual({ name: "heap/secret: Hidden stress", score: 20, max_score: 100, status: "failed", output: "fail", visibility: "after_published" });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("stress-topic-secret");
  });

  it("puts the total score and a key metric (mean over public challenges) on the leaderboard", () => {
    expect(results.leaderboard).toEqual([
      { name: "score", value: 107.5, order: "desc" },
      { name: "mean utilization", value: 0.705, order: "desc" },
    ]);
    const costOnly = JSON.parse(
      REPORTERS.gradescope([makeDoc("c", [challenge({ id: "a", metrics: { cyclesPerOp: 10 } }), challenge({ id: "b", metrics: { cyclesPerOp: 20 } })])], {
        audience: "student",
      }),
    ) as GradescopeResults;
    expect(costOnly.leaderboard[1]).toEqual({ name: "mean cyclesPerOp", value: 15, order: "asc" });
  });

  it("writes an array for several submissions", () => {
    const many = JSON.parse(REPORTERS.gradescope([doc, makeDoc("b", [])], { audience: "student" }));
    expect(many).toHaveLength(2);
    expect(many[1]).toMatchObject({ score: 0, tests: [], leaderboard: [{ name: "score", value: 0 }] });
  });
});
