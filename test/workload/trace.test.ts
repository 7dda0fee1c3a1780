import fc from "fast-check";
import { ErrorCode, type InputProblem, MemarenaError } from "../../core/errors";
import type { Challenge, Op } from "../../graders/challenge/types";
import { formatCompactTrace, formatRep, parseRep, parseTrace, resolveOps, resolveWorkload } from "../../graders/workload";

function traceProblems(f: () => unknown): InputProblem[] {
  try {
    f();
  } catch (e) {
    expect((e as MemarenaError).code).toBe(ErrorCode.INVALID_TRACE);
    return (e as MemarenaError).data.problems as InputProblem[];
  }
  throw new Error("expected INVALID_TRACE");
}

describe("compact text traces", () => {
  it("parses every op kind, units, hex, options and comments", () => {
    const text = [
      "# a comment line",
      "a 3 512 align=64 scoped",
      "w 3 0 16",
      "rd 3 -8 4 expect=underflow   # trailing comment",
      "r 3 1KiB",
      "f 3",
      "spawn 1 64KiB base=0x10000",
      "access 1 0x1000 r user",
      "map 1 0x200000 rwu frame=12 page=2MiB",
      "privileged 1 set-root",
      "pin 1",
      "dma disk0 pid=1 0 4096 to-device",
      "unpin 1",
      "compact",
      "switch 1",
      "scope enter",
      "scope throw",
      "exit 1",
    ].join("\n");
    expect(parseTrace(text, "t.trace")).toEqual<Op[]>([
      { op: "alloc", id: 3, size: 512, align: 64, scoped: true },
      { op: "write", id: 3, offset: 0, length: 16 },
      { op: "read", id: 3, offset: -8, length: 4, expect: "underflow" },
      { op: "realloc", id: 3, size: 1024 },
      { op: "free", id: 3 },
      { op: "spawn", pid: 1, size: 65536, base: 0x10000 },
      { op: "access", pid: 1, addr: 0x1000, kind: "read", mode: "user" },
      { op: "map", pid: 1, vaddr: 0x200000, flags: "rwu", frame: 12, pageSize: 2 * 1024 * 1024 },
      { op: "privileged", pid: 1, action: "set-root" },
      { op: "pin", pid: 1 },
      { op: "dma", device: "disk0", pid: 1, offset: 0, length: 4096, dir: "to-device" },
      { op: "unpin", pid: 1 },
      { op: "compact" },
      { op: "switch", pid: 1 },
      { op: "scope", action: "enter" },
      { op: "scope", action: "throw" },
      { op: "exit", pid: 1 },
    ]);
  });

  it("reports every bad line with file, line and op index", () => {
    const ps = traceProblems(() => parseTrace("a 1 16\n\nzz 4\na 2 -4\naccess 1 0x10 q\n", "bad.txt"));
    expect(ps.map((p) => [p.file, p.line, p.pointer])).toEqual([
      ["bad.txt", 3, "/1"],
      ["bad.txt", 4, "/2"],
      ["bad.txt", 5, "/3"],
    ]);
    expect(ps[0].expected).toMatch(/unknown op "zz"/);
    expect(ps[2].expected).toMatch(/r, w or x/);
  });

  it("checks parsed ops against the op schema (size >= 1, enums)", () => {
    const ps = traceProblems(() => parseTrace("a 1 0\nscope leave\n", "x.txt"));
    expect(ps[0]).toMatchObject({ line: 1, pointer: "/0/size", expected: "must be integer >= 1" });
    expect(ps[1]).toMatchObject({ line: 2, pointer: "/1/action", expected: expect.stringContaining("one of: enter, exit, throw") });
  });
});

/** Arbitrary ops with numbers only (what formatting writes). */
const opArb: fc.Arbitrary<Op> = (() => {
  const id = fc.nat({ max: 1000 });
  const size = fc.integer({ min: 1, max: 1 << 24 });
  const expectKind = fc.option(fc.constantFrom("overflow", "underflow", "use-after-free", "double-free", "invalid-free", "leak" as const), { nil: undefined });
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return fc.oneof(
    fc.record({ id, size, align: fc.option(fc.constantFrom(8, 16, 4096 as const), { nil: undefined }), scoped: fc.option(fc.boolean(), { nil: undefined }), expect: expectKind }).map((r) => clean({ op: "alloc" as const, ...r })),
    fc.record({ id, expect: expectKind }).map((r) => clean({ op: "free" as const, ...r })),
    fc.record({ id, size }).map((r) => ({ op: "realloc" as const, ...r })),
    fc.record({ id, offset: fc.integer({ min: -64, max: 4096 }), length: fc.integer({ min: 1, max: 4096 }), w: fc.boolean() }).map(({ w, ...r }) => ({ op: w ? ("write" as const) : ("read" as const), ...r })),
    fc.record({ pid: id, size, base: fc.option(fc.nat(), { nil: undefined }) }).map((r) => clean({ op: "spawn" as const, ...r })),
    fc.record({ pid: id, addr: fc.nat(), kind: fc.constantFrom("read", "write", "exec" as const), mode: fc.option(fc.constantFrom("user", "supervisor" as const), { nil: undefined }) }).map((r) => clean({ op: "access" as const, ...r })),
    fc.record({ pid: id, vaddr: fc.nat(), flags: fc.constantFrom("rwu", "r", "-", "g"), frame: fc.option(fc.nat(), { nil: undefined }), pageSize: fc.option(fc.constantFrom(4096, 2097152), { nil: undefined }) }).map((r) => clean({ op: "map" as const, ...r })),
    fc.record({ device: fc.constantFrom("disk0", "nic0"), which: fc.boolean(), n: id, offset: fc.nat({ max: 1 << 20 }), length: size, dir: fc.constantFrom("to-device", "from-device" as const) }).map(({ which, n, ...r }) => ({ op: "dma" as const, ...r, ...(which ? { id: n } : { pid: n }) })),
    fc.constantFrom<Op>({ op: "compact" }, { op: "scope", action: "enter" }, { op: "scope", action: "exit" }, { op: "scope", action: "throw", expect: "leak" }, { op: "pin", pid: 2 }, { op: "unpin", pid: 2 }, { op: "exit", pid: 5 }, { op: "switch", pid: 5 }, { op: "privileged", pid: 1, action: "flush-tlb" }),
  );
})();

describe("formatCompactTrace", () => {
  it("is the inverse of parsing: parse(format(ops)) = ops", () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
      expect(parseTrace(formatCompactTrace(ops), "x.trace")).toEqual(ops);
    }), { seed: 42, numRuns: 200 });
  });
});

describe("JSON traces", () => {
  it("parses an array of ops, resolving unit strings", () => {
    const text = JSON.stringify([{ op: "alloc", id: 0, size: 8 }, { op: "spawn", pid: 1, size: "4KiB", base: "0x2000" }], null, 2);
    expect(parseTrace(text, "t.json")).toEqual([{ op: "alloc", id: 0, size: 8 }, { op: "spawn", pid: 1, size: 4096, base: 0x2000 }]);
  });

  it("points at the bad item by index and line", () => {
    const text = '[\n  {"op": "alloc", "id": 0, "size": 8},\n  {"op": "free", "id": -1}\n]';
    const ps = traceProblems(() => parseTrace(text, "t.json"));
    expect(ps).toEqual([expect.objectContaining({ file: "t.json", pointer: "/1/id", line: 3, expected: "must be integer >= 0", found: "-1" })]);
  });

  it("rejects a non-array and reports syntax errors with a line", () => {
    expect(traceProblems(() => parseTrace('{"op":"compact"}', "t.json"))[0].expected).toMatch(/array/);
    expect(traceProblems(() => parseTrace('[\n{"op": "compact"}\n{"op": "compact"}]', "t.json"))[0].line).toBe(3);
  });
});

describe(".rep traces (CS:APP malloc lab)", () => {
  const rep = ["20000", "3", "6", "1", "a 0 512", "a 1 128", "r 0 640", "f 1", "a 2 16", "f 0", ""].join("\n");

  it("reads the header and the ops as they are", () => {
    const { header, ops } = parseRep(rep, "short.rep");
    expect(header).toEqual({ suggestedHeapBytes: 20000, ids: 3, ops: 6, weight: 1 });
    expect(ops).toEqual([
      { op: "alloc", id: 0, size: 512 }, { op: "alloc", id: 1, size: 128 }, { op: "realloc", id: 0, size: 640 },
      { op: "free", id: 1 }, { op: "alloc", id: 2, size: 16 }, { op: "free", id: 0 },
    ]);
    expect(parseTrace(rep, "short.rep")).toEqual(ops);
  });

  it("round-trips through formatRep", () => {
    const { ops } = parseRep(rep, "short.rep");
    expect(parseRep(formatRep(ops), "again.rep").ops).toEqual(ops);
  });

  it("reports bad lines, ids out of range and a wrong op count with lines", () => {
    const bad = ["100", "2", "3", "1", "a 0 8", "x 0", "a 5 8"].join("\n");
    const ps = traceProblems(() => parseTrace(bad, "bad.rep"));
    expect(ps.map((p) => p.line)).toEqual([6, 7]);
    expect(ps[1].expected).toMatch(/0 to 1/);
    const count = traceProblems(() => parseTrace(["100", "2", "3", "1", "a 0 8", "f 0"].join("\n"), "n.rep"));
    expect(count[0]).toMatchObject({ line: 3, found: '"3"' });
    expect(traceProblems(() => parseTrace("100\n2\n", "short.rep"))[0].expected).toMatch(/header line 3/);
  });
});

describe("resolveWorkload", () => {
  const base = { id: "heap/x", title: "x", subject: "allocator" } as const;
  it("resolves inline ops, traces given as text, and generators", () => {
    const inline: Challenge = { ...base, workload: { ops: [{ op: "spawn", pid: 0, size: "8KiB" }] } };
    expect(resolveWorkload(inline)).toEqual([{ op: "spawn", pid: 0, size: 8192 }]);
    const trace: Challenge = { ...base, workload: { trace: "traces/t.rep" } };
    expect(resolveWorkload(trace, "1\n1\n1\n1\na 0 8\n")).toEqual([{ op: "alloc", id: 0, size: 8 }]);
    expect(() => resolveWorkload(trace)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_TRACE }));
    const gen: Challenge = { ...base, workload: { generate: { kind: "random", ops: 50 } } };
    expect(resolveWorkload(gen)).toEqual(resolveWorkload(gen));
    const seeded: Challenge = { ...gen, workload: { ...gen.workload, seed: 99 } };
    expect(resolveWorkload(seeded)).not.toEqual(resolveWorkload(gen));
  });
});

describe("resolveOps", () => {
  it("keeps ops with nothing to resolve as they are and makes sizes and addresses numbers, without touching its input", () => {
    const plain: Op[] = [
      { op: "alloc", id: 1, size: 32 },
      { op: "free", id: 1 },
    ];
    const out = resolveOps(plain);
    expect(out).toEqual(plain);
    expect(out).not.toBe(plain);
    expect(out[0]).toBe(plain[0]);
    const mixed = [
      { op: "alloc", id: 1, size: 32 },
      { op: "spawn", pid: 1, size: "64KiB", base: "0x10000" },
      { op: "access", pid: 1, addr: "0x1000", access: "read" },
      { op: "free", id: 1 },
    ] as unknown as Parameters<typeof resolveOps>[0];
    const before = JSON.stringify(mixed);
    const r = resolveOps(mixed);
    expect(r).toEqual([
      { op: "alloc", id: 1, size: 32 },
      { op: "spawn", pid: 1, size: 65536, base: 0x10000 },
      { op: "access", pid: 1, addr: 0x1000, access: "read" },
      { op: "free", id: 1 },
    ]);
    expect(JSON.stringify(mixed)).toBe(before);
  });
});
