import * as fs from "node:fs";
import * as path from "node:path";
import { validateResults } from "../../graders/reporters";
import type { ResultsDocument } from "../../graders/results";
import { FIXTURES, memarena, tempDir } from "./cli";

const challenges = path.join(FIXTURES, "challenges");
const chatty = path.join(FIXTURES, "plugins", "chatty.ts");

describe("a submission's console output (end to end)", () => {
  it("is kept per challenge in the results, capped, once per call (the replica is muted), and reproducible", () => {
    const out = tempDir();
    const r = memarena(["grade", chatty, "-c", path.join(challenges, "small.json"), "--reporter", "json", "junit", "console", "--out", out]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as ResultsDocument;
    expect(validateResults(doc).valid).toBe(true);
    const small = doc.challenges[0]!;
    expect(small.failures[0]).toMatchObject({ check: "overlap", op: expect.any(Number) });
    expect(small.output).toEqual([
      'malloc 1 {"n":1,"odd":true}',
      'malloc 2 {"n":2,"odd":false}',
      'malloc 3 {"n":3,"odd":true}',
      "warn: third call [1,2]",
      "error: fourth call [Function helper]",
      "debug null undefined true",
    ]);
    // The console reporter shows the tail under the failure; junit carries it in system-out.
    expect(r.stdout).toMatch(/console output \(\d+ lines?\):\n {2}│ /);
    expect(fs.readFileSync(path.join(out, "junit.xml"), "utf8")).toMatch(/<system-out>score 0 \/ 100\nmalloc 1 /);
    const again = memarena(["grade", chatty, "-c", path.join(challenges, "small.json"), "--reporter", "json"]);
    const strip = (text: string) => text.replace(/"wallMs": \d+/g, '"wallMs": 0');
    expect(strip(again.stdout)).toBe(strip(JSON.stringify(doc, null, 2) + "\n"));
  });

  it("keeps at most 200 lines, cuts long ones and counts the rest; students see none of a hidden challenge's", () => {
    const noisy = path.join(FIXTURES, "plugins", "noisy.ts");
    const r = memarena(["grade", noisy, "-c", path.join(challenges, "hidden.json"), "--reporter", "json"]);
    const hidden = (JSON.parse(r.stdout) as ResultsDocument).challenges[0]!;
    expect(hidden.verdict).toBe("pass");
    const output = hidden.output!;
    expect(output.length).toBeLessThanOrEqual(201);
    expect(output[1]).toBe(`${"x".repeat(500)} …`);
    expect(output[output.length - 1]).toMatch(/^… \d+ more console lines not kept$/);
    expect(output.join("\n").length).toBeLessThan(40_000);
    const student = memarena(["grade", noisy, "-c", path.join(challenges, "hidden.json"), "--reporter", "json", "--audience", "student"]);
    expect((JSON.parse(student.stdout) as ResultsDocument).challenges[0]!.output).toBeUndefined();
    expect(student.stdout).not.toMatch(/malloc|xxxx/);
  });

  it("memarena run prints everything the plugin printed before the verdict", () => {
    const r = memarena(["run", path.join(challenges, "small.json"), "--plugin", chatty]);
    expect(r.code).toBe(1);
    const head = r.stdout.split("\n");
    expect(head[0]).toMatch(/^console output \(\d+ lines\):$/);
    expect(head[1]).toBe('  │ malloc 1 {"n":1,"odd":true}');
    expect(r.stdout.indexOf("console output")).toBeLessThan(r.stdout.indexOf("cli/small"));
  });
});
