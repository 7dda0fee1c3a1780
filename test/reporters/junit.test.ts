import { REPORTERS } from "../../graders/reporters";
import { challenge, classDoc, deepFreeze, makeDoc, NASTY_MESSAGE, SECRET } from "./fixtures";
import { findAll, parseXml, type XmlElement } from "./xml-parse";

const byName = (suite: XmlElement, name: string): XmlElement => findAll(suite, "testcase").find((t) => t.attrs["name"] === name)!;

describe("junit reporter", () => {
  const doc = deepFreeze(classDoc());
  const other = deepFreeze(makeDoc("other", [challenge({ id: "solo" }), challenge({ id: "a/b/c", verdict: "fail", score: 0, failures: [] })]));
  const xml = REPORTERS.junit([doc, other], { audience: "instructor" });
  const root = parseXml(xml);

  it("is well-formed: testsuites > testsuite per submission > testcase per challenge", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.name).toBe("testsuites");
    const suites = root.children.filter((c) => c.name === "testsuite");
    expect(suites.map((s) => s.attrs["name"])).toEqual(["my-first-fit", "other"]);
    expect(findAll(suites[0]!, "testcase")).toHaveLength(doc.challenges.length);
    expect(findAll(suites[1]!, "testcase")).toHaveLength(2);
  });

  it("counts tests, failures and errors per suite and in total", () => {
    const [first, second] = root.children.filter((c) => c.name === "testsuite");
    expect(first!.attrs).toMatchObject({ tests: "7", failures: "2", errors: "4", skipped: "0" });
    expect(second!.attrs).toMatchObject({ tests: "2", failures: "1", errors: "0" });
    expect(root.attrs).toMatchObject({ tests: "9", failures: "3", errors: "4" });
    expect(findAll(root, "failure")).toHaveLength(3);
    expect(findAll(root, "error")).toHaveLength(4);
  });

  it("uses topic or the id prefix as classname, the id as name, seconds as time", () => {
    const [first, second] = root.children.filter((c) => c.name === "testsuite");
    expect(byName(first!, "heap/coalescing").attrs).toEqual({ classname: "heap", name: "heap/coalescing", time: "0.812" });
    expect(byName(first!, "heap/overlap").attrs["classname"]).toBe("heap");
    expect(byName(first!, "dma/bounce").attrs["classname"]).toBe("dma");
    expect(byName(second!, "a/b/c").attrs["classname"]).toBe("a/b");
    expect(byName(second!, "solo").attrs["classname"]).toBe("solo");
    expect(first!.attrs["time"]).toBe(((812 + 45 + 33 + 10 * 4) / 1000).toFixed(3));
  });

  it("writes a fail as <failure type=check> with the op and the full message, escaped and read back intact", () => {
    const [first] = root.children.filter((c) => c.name === "testsuite");
    const tc = byName(first!, "heap/overlap");
    expect(tc.children.map((c) => c.name)).toEqual(["failure", "system-out"]);
    const failure = tc.children[0]!;
    expect(failure.attrs["type"]).toBe("overlap");
    expect(failure.attrs["message"]).toBe(`fail: overlap at op 1234: ${NASTY_MESSAGE}`);
    expect(failure.text).toContain(`overlap at op 1234: ${NASTY_MESSAGE}`);
    expect(failure.text).toContain("alignment at op 1300: second failure");
  });

  it("escapes < & \" ' in attributes and text (no raw markup from messages in the output)", () => {
    expect(xml).not.toContain("<a>");
    expect(xml).toContain("&lt;a&gt; &amp; &quot;b&quot; overlaps &apos;c&apos;");
    expect(xml).toContain("&#10;");
  });

  it("writes error, timeout, memory-limit and internal-error as <error>, pass as neither", () => {
    const [first] = root.children.filter((c) => c.name === "testsuite");
    expect(byName(first!, "dma/bounce").children[0]!.attrs).toMatchObject({ type: "PLUGIN_THREW" });
    expect(byName(first!, "dma/bounce").children[0]!.attrs["message"]).toContain("(`a 1 16`)");
    expect(byName(first!, "tlb/loop").children[0]!.name).toBe("error");
    expect(byName(first!, "heap/huge").children[0]!.attrs).toEqual({ message: "memory-limit", type: "memory-limit" });
    expect(byName(first!, "frames").children[0]!.name).toBe("error");
    expect(byName(first!, "heap/coalescing").children.map((c) => c.name)).toEqual(["system-out"]);
    expect(byName(first!, "heap/coalescing").children[0]!.text).toBe("score 87.5 / 100");
  });

  it("stays well-formed with control characters and lone surrogates in a message", () => {
    const bad = makeDoc("bad<&>", [
      challenge({ id: 'x"y', verdict: "fail", score: 0, failures: [{ check: "c", message: "nul\u0000 bell\u0007 lone\uD800 ]]> end" }] }),
    ]);
    const parsed = parseXml(REPORTERS.junit([bad], { audience: "instructor" }));
    const suite = findAll(parsed, "testsuite")[0]!;
    expect(suite.attrs["name"]).toBe("bad<&>");
    const failure = findAll(parsed, "failure")[0]!;
    expect(findAll(parsed, "testcase")[0]!.attrs["name"]).toBe('x"y');
    expect(failure.text).toBe("c: nul\uFFFD bell\uFFFD lone\uFFFD ]]> end");
  });

  it("keeps hidden details out of the student's XML, not the instructor's", () => {
    expect(xml).toContain(SECRET);
    const student = REPORTERS.junit([doc], { audience: "student" });
    expect(student).not.toContain(SECRET);
    const tc = byName(findAll(parseXml(student), "testsuite")[0]!, "heap/secret");
    expect(tc.attrs["classname"]).toBe("heap");
    expect(tc.children[0]!.attrs).toEqual({ message: "fail", type: "fail" });
  });
});
