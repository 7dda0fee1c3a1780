import { REPORTERS } from "../../graders/reporters";
import { challenge, classDoc, deepFreeze, makeDoc, SECRET } from "./fixtures";

/** Splits a GitHub table row on unescaped pipes. */
const cells = (row: string): string[] => row.split(/(?<!\\)\|/).slice(1, -1);

describe("markdown reporter", () => {
  const doc = deepFreeze(classDoc());
  const md = REPORTERS.markdown([doc], { audience: "instructor" });
  const lines = md.split("\n");

  it("has a heading with the total and a table with one row per challenge", () => {
    expect(lines[0]).toBe("### my-first-fit — 107.5 / 700 (15.4%)");
    const header = lines.findIndex((l) => l.startsWith("| | Challenge"));
    expect(lines[header + 1]).toBe("|:-:|---|---|--:|---|");
    const rows = lines.slice(header + 2).filter((l) => l.startsWith("|"));
    expect(rows).toHaveLength(doc.challenges.length);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(rows[0]).toBe("| ✅ | `heap/coalescing` Coalescing under churn | pass | 87.5 / 100 | utilization 91.0%, cyclesPerOp 412.3, tlbMissRate 1.2% |");
    expect(rows.map((r) => cells(r)[0]!.trim())).toEqual(["✅", "❌", "❌", "💥", "⏱️", "🧱", "⚠️"]);
  });

  it("puts every failure, in full, in a <details> block after the table", () => {
    const open = md.indexOf("<details><summary>Failures (6)</summary>");
    expect(open).toBeGreaterThan(md.indexOf("| ✅ |"));
    expect(md.indexOf("</details>")).toBeGreaterThan(open);
    const details = md.slice(open);
    expect(details).toContain("```text\noverlap: block <a> & \"b\" overlaps 'c'\n  [0x1000, 0x1040)");
    expect(details).toContain("second failure: payload 0x1008 not 16-aligned");
    expect(details).toContain("**heap/overlap** — fail: `overlap at op 1234`");
  });

  it("keeps table cells intact with pipes, newlines and HTML in titles", () => {
    const tricky = makeDoc("t", [challenge({ id: "a", title: "x | y\nz <b>" })]);
    const row = REPORTERS.markdown([tricky], { audience: "instructor" })
      .split("\n")
      .find((l) => l.startsWith("| ✅"))!;
    expect(cells(row)).toHaveLength(5);
    expect(row).toContain("x \\| y<br>z &lt;b&gt;");
  });

  it("fences a message containing ``` with a longer fence", () => {
    const d = makeDoc("f", [challenge({ id: "a", verdict: "fail", score: 0, failures: [{ check: "c", message: "before\n```\nafter" }] })]);
    const out = REPORTERS.markdown([d], { audience: "instructor" });
    expect(out).toContain("````text\nbefore\n```\nafter\n````");
  });

  it("has no <details> when nothing failed", () => {
    expect(REPORTERS.markdown([makeDoc("ok", [challenge({ id: "a" })])], { audience: "instructor" })).not.toContain("<details>");
  });

  it("redacts hidden challenges for students", () => {
    expect(md).toContain(SECRET);
    const student = REPORTERS.markdown([doc], { audience: "student" });
    expect(student).not.toContain(SECRET);
    expect(student).toContain("| ❌ | `heap/secret` Hidden stress | fail | 20 / 100 | _hidden_ |");
    expect(student).toContain("Failures (5)");
  });

  it("has one section per submission", () => {
    const out = REPORTERS.markdown([doc, makeDoc("b", [])], { audience: "instructor" });
    expect(out.match(/^### /gm)).toHaveLength(2);
  });
});
