import { studentView, viewFor } from "../../graders/reporters";
import { classDoc, deepFreeze, SECRET } from "./fixtures";

describe("studentView", () => {
  const doc = deepFreeze(classDoc());
  const view = studentView(doc);
  const hidden = view.challenges.find((c) => c.id === "heap/secret")!;

  it("keeps only id, title, visibility, verdict and score of a hidden challenge", () => {
    expect(hidden).toEqual({
      id: "heap/secret",
      title: "Hidden stress",
      visibility: "hidden",
      verdict: "fail",
      score: 20,
      maxScore: 100,
      metrics: {},
      failures: [],
      wallMs: 0,
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(JSON.stringify(view)).not.toContain("stress-topic-secret");
    expect(JSON.stringify(view)).not.toContain("heapBytes");
  });

  it("leaves public challenges, the submission and the totals as they are", () => {
    doc.challenges.forEach((c, i) => {
      if (c.visibility !== "hidden") expect(view.challenges[i]).toBe(c);
    });
    expect(view.total).toBe(doc.total);
    expect(view.submission).toBe(doc.submission);
  });

  it("does not modify its input (the input is deeply frozen)", () => {
    expect(doc.challenges[2]!.failures[0]!.message).toContain(SECRET);
  });

  it("viewFor: the instructor sees everything, the student the redacted view", () => {
    expect(viewFor([doc], "instructor")[0]).toBe(doc);
    expect(viewFor([doc], "student")[0]).toEqual(view);
  });
});
