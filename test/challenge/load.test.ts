import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { ErrorCode, type InputProblem, MemarenaError } from "../../core/errors";
import { BUILTIN_PACK_DIR, discoverChallenges, findChallenge, loadChallengeFile } from "../../graders/challenge/load";

const FIX = path.join(__dirname, "../fixtures/challenges");

/** The problems of the INVALID_CHALLENGE error `f` throws. */
function problemsOf(f: () => unknown): InputProblem[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MemarenaError);
    expect((e as MemarenaError).code).toBe(ErrorCode.INVALID_CHALLENGE);
    return (e as MemarenaError).data.problems as InputProblem[];
  }
  throw new Error("expected INVALID_CHALLENGE");
}

const byPointer = (ps: InputProblem[], pointer: string): InputProblem => {
  const p = ps.find((x) => x.pointer === pointer);
  if (!p) throw new Error(`no problem at ${pointer}; got ${ps.map((x) => x.pointer).join(", ")}`);
  return p;
};

describe("loadChallengeFile", () => {
  it("loads a valid file with its hash, folder and trace file", () => {
    const file = path.join(FIX, "valid/trace/malloc-lab.json");
    const c = loadChallengeFile(file);
    expect(c.challenge.id).toBe("trace/malloc-lab");
    expect(c.dir).toBe(path.dirname(file));
    // The hash covers the file and its trace (a changed trace is a changed challenge).
    const trace = fs.readFileSync(path.join(FIX, "valid/trace/traces/short.rep"), "utf8");
    expect(c.sha256).toBe(createHash("sha256").update(fs.readFileSync(file)).update("\0trace\0").update(trace).digest("hex"));
    expect(c.traceFile).toBe(path.join(FIX, "valid/trace/traces/short.rep"));
  });

  it("names the pointer, line and column of a nested bad value", () => {
    const file = path.join(FIX, "invalid/many-errors.json");
    const p = byPointer(problemsOf(() => loadChallengeFile(file)), "/workload/ops/12/size");
    expect(p).toMatchObject({ file, line: 20, column: 42, expected: "must be integer >= 1", found: "-4" });
  });

  it("reports every problem of the file at once, in document order", () => {
    const ps = problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/many-errors.json")));
    expect(ps.map((p) => p.pointer)).toEqual([
      "/id", "/subject", "/workload/ops/12/size", "/workload/ops/13/op", "/workload/ops/14/sise",
      "/checks/alignmnet", "/limits/timeMs", "/scoring/components/0",
    ]);
    const lines = ps.map((p) => p.line!);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it("words enums, unknown properties and oneOf failures for people", () => {
    const ps = problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/many-errors.json")));
    expect(byPointer(ps, "/subject").expected).toMatch(/one of: allocator, sanitizer, placement, frame-allocator, none.*did you mean "allocator"/);
    expect(byPointer(ps, "/checks/alignmnet")).toMatchObject({ line: 25, expected: expect.stringContaining('did you mean "alignment"') });
    expect(byPointer(ps, "/workload/ops/13/op").expected).toMatch(/^must be one of: alloc, free, realloc/);
    expect(byPointer(ps, "/scoring/components/0").expected).toBe("exactly one of: target, baseline");
  });

  it("gives a JSON syntax error a line and column", () => {
    const [p, ...rest] = problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/syntax.json")));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ line: 5, column: 3, expected: expect.stringContaining("','") });
  });

  it("folds normalizeMachine's problems in with /machine pointers and lines", () => {
    const ps = problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/machine-bad.json")));
    expect(byPointer(ps, "/machine/paging/pageSize")).toMatchObject({ line: 6, expected: expect.stringContaining("power of two") });
    expect(byPointer(ps, "/machine/tlb/0/ways")).toMatchObject({ line: 7, found: "5" });
  });

  it("reports a missing trace file at /workload/trace", () => {
    const p = byPointer(problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/missing-trace.json"))), "/workload/trace");
    expect(p).toMatchObject({ line: 5, found: '"traces/nope.rep"' });
  });

  it("wants exactly one of ops, trace and generate", () => {
    const p = byPointer(problemsOf(() => loadChallengeFile(path.join(FIX, "invalid/two-workloads.json"))), "/workload");
    expect(p).toMatchObject({ expected: "exactly one of: ops, trace, generate", found: "ops and trace" });
  });

  it("reports duplicate keys and a physical memory that is not whole pages", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-load-"));
    const file = path.join(dir, "c.json");
    fs.writeFileSync(file, '{"id":"a/b","title":"t","title":"u","subject":"none","machine":{"physicalMemory":5000},"workload":{"ops":[]}}');
    const ps = problemsOf(() => loadChallengeFile(file));
    expect(ps.map((p) => p.pointer)).toEqual(expect.arrayContaining(["/title", "/machine/physicalMemory"]));
  });

  it("throws IO for a file that cannot be read", () => {
    expect(() => loadChallengeFile(path.join(FIX, "nope.json"))).toThrow(expect.objectContaining({ code: ErrorCode.IO }));
  });
});

describe("discoverChallenges and findChallenge", () => {
  it("finds challenges recursively, skips companions and the schema, sorts by id", () => {
    const found = discoverChallenges(path.join(FIX, "valid"));
    expect(found.map((c) => c.challenge.id)).toEqual(["heap/coalescing", "tlb/huge-phases", "trace/malloc-lab"]);
  });

  it("names both files of a duplicate id", () => {
    const ps = problemsOf(() => discoverChallenges(path.join(FIX, "invalid/dup")));
    expect(ps).toHaveLength(1);
    expect(ps[0].file).toBe(path.join(FIX, "invalid/dup/b.json"));
    expect(ps[0].expected).toContain(path.join(FIX, "invalid/dup/a.json"));
    expect(ps[0].line).toBe(1);
  });

  it("reports the problems of all files of a folder together", () => {
    const ps = problemsOf(() => discoverChallenges(path.join(FIX, "invalid")));
    const files = new Set(ps.map((p) => path.basename(p.file)));
    expect([...files].sort()).toEqual(["b.json", "machine-bad.json", "many-errors.json", "missing-trace.json", "syntax.json", "two-workloads.json"]);
  });

  it("finds by id or by path, and suggests close ids", () => {
    const roots = [path.join(FIX, "valid")];
    expect(findChallenge("tlb/huge-phases", roots).challenge.title).toBe("Huge pages and frame churn");
    expect(findChallenge(path.join(FIX, "valid/heap/coalescing.json"), roots).challenge.id).toBe("heap/coalescing");
    expect(() => findChallenge("heap/coalesing", roots)).toThrow(
      expect.objectContaining({ code: ErrorCode.CHALLENGE_NOT_FOUND, data: expect.objectContaining({ suggestions: ["heap/coalescing"] }) }),
    );
  });

  it("puts the built-in pack under challenges/pack", () => {
    expect(BUILTIN_PACK_DIR).toBe(path.resolve(__dirname, "../../challenges/pack"));
  });
});
