import { REPORTERS } from "../../graders/reporters";
import { challenge, classDoc, deepFreeze, makeDoc, NASTY_MESSAGE, SECRET } from "./fixtures";

const ESC = "\u001b[";
const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("console reporter", () => {
  const doc = deepFreeze(classDoc());

  it("writes no ANSI codes when color is false", () => {
    const out = REPORTERS.console([doc], { audience: "instructor", color: false });
    expect(out).not.toContain(ESC);
  });

  it("colors verdicts by default: pass green, fail red", () => {
    const out = REPORTERS.console([doc], { audience: "instructor" });
    expect(out).toMatch(/\u001b\[32mpass\s*\u001b\[0m/);
    expect(out).toMatch(/\u001b\[31mfail\s*\u001b\[0m/);
  });

  it("has one row per challenge with id, verdict, score/max and up to 3 key metrics, key metrics first", () => {
    const out = REPORTERS.console([doc], { audience: "instructor", color: false });
    const row = out.split("\n").find((l) => l.startsWith("heap/coalescing"))!;
    expect(row).toMatch(/^heap\/coalescing\s+pass\s+87\.5 \/ 100\s+utilization 91\.0%, cyclesPerOp 412\.3, tlbMissRate 1\.2%$/);
    expect(row).not.toContain("pageWalkSteps");
    for (const c of doc.challenges) {
      expect(out.split("\n").some((l) => l.startsWith(c.id) && l.includes(c.verdict))).toBe(true);
    }
  });

  it("aligns columns the same with and without color", () => {
    const colored = REPORTERS.console([doc], { audience: "instructor" });
    const uncolored = REPORTERS.console([doc], { audience: "instructor", color: false });
    expect(plain(colored)).toBe(uncolored);
  });

  it("prints the first failure message in full below the table, and how many more there are", () => {
    const out = REPORTERS.console([doc], { audience: "instructor", color: false });
    const table = out.indexOf("heap/coalescing");
    const failure = out.indexOf("FAIL heap/overlap: overlap at op 1234 (+1 more)");
    expect(failure).toBeGreaterThan(table);
    for (const line of NASTY_MESSAGE.split("\n")) expect(out).toContain(`  ${line}`);
    expect(out).not.toContain("second failure");
  });

  it("shows totals and verdict counts", () => {
    const out = REPORTERS.console([doc], { audience: "instructor", color: false });
    expect(out).toContain(`Total: 107.5 / 700 (15.4%)  1 pass, 2 fail, 1 error, 1 timeout, 1 memory-limit, 1 internal-error`);
  });

  it("shows only verdict and score of hidden challenges to students", () => {
    const student = REPORTERS.console([doc], { audience: "student", color: false });
    expect(student).not.toContain(SECRET);
    expect(student).toMatch(/^heap\/secret\s+fail\s+20 \/ 100\s+\(hidden\)$/m);
    expect(student).not.toContain("12.3%");
    const instructor = REPORTERS.console([doc], { audience: "instructor", color: false });
    expect(instructor).toContain(SECRET);
    expect(instructor).toMatch(/^heap\/secret\s+fail\s+20 \/ 100\s+\(hidden\) utilization 12\.3%$/m);
  });

  it("renders one table per submission when grading a class", () => {
    const out = REPORTERS.console([doc, makeDoc("other-alloc", [challenge({ id: "x/y" })])], { audience: "instructor", color: false });
    expect(out).toContain("my-first-fit (allocator, my-first-fit.ts)");
    expect(out).toContain("other-alloc (allocator, other-alloc.ts)");
    expect(out.match(/^Total: /gm)).toHaveLength(2);
    expect(out).toContain("2 submissions graded");
  });
});
