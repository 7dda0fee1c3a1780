import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MemarenaError } from "../../core/errors";
import { loadChallengeFile } from "../../graders/challenge/load";

function challengeWithTrace(trace: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-trace-"));
  fs.writeFileSync(path.join(dir, "t.rep"), trace);
  const file = path.join(dir, "c.json");
  fs.writeFileSync(file, JSON.stringify({ id: "t/trace", title: "t", subject: "allocator", workload: { trace: "t.rep" } }));
  return file;
}

describe("a challenge's trace file", () => {
  it("is parsed when the challenge loads: a bad line is reported with the trace file and line, before any run", () => {
    const file = challengeWithTrace(["0", "2", "3", "1", "a 0 16", "x 1 16", "f 0"].join("\n"));
    let caught: unknown;
    try {
      loadChallengeFile(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MemarenaError);
    expect((caught as MemarenaError).code).toBe("INVALID_TRACE");
    expect((caught as MemarenaError).message).toMatch(/t\.rep:6/);
  });

  it("is part of the challenge's hash", () => {
    const a = loadChallengeFile(challengeWithTrace(["0", "1", "2", "1", "a 0 16", "f 0"].join("\n")));
    const b = loadChallengeFile(challengeWithTrace(["0", "1", "2", "1", "a 0 32", "f 0"].join("\n")));
    expect(a.sha256).not.toBe(b.sha256);
  });
});
