import { isReporterName, REPORTER_NAMES, REPORTERS, type ReporterName } from "../../graders/reporters";
import { classDoc, deepFreeze, makeDoc, SECRET } from "./fixtures";

const ALL: readonly ReporterName[] = ["console", "json", "junit", "markdown", "html", "gradescope"];

describe("reporter registry", () => {
  it("registers every reporter name of the CLI", () => {
    expect([...REPORTER_NAMES].sort()).toEqual([...ALL].sort());
    expect(isReporterName("junit")).toBe(true);
    expect(isReporterName("toString")).toBe(false);
    expect(isReporterName("xml")).toBe(false);
  });

  describe.each(ALL)("%s", (name) => {
    const docs = deepFreeze([classDoc("alice"), classDoc("bob")]);

    it("never shows a hidden challenge's details to students", () => {
      const out = REPORTERS[name](docs, { audience: "student", color: false });
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain("stress-topic-secret");
    });

    it("does not modify its (deeply frozen) input, and is deterministic", () => {
      const a = REPORTERS[name](docs, { audience: "instructor" });
      expect(REPORTERS[name](docs, { audience: "instructor" })).toBe(a);
      expect(a).toContain("alice");
      expect(a).toContain("bob");
    });

    it("ends with a newline and handles a submission without challenges", () => {
      const out = REPORTERS[name]([makeDoc("empty", [])], { audience: "student", color: false });
      expect(out.endsWith("\n")).toBe(true);
      expect(out).toContain("empty");
    });
  });
});
