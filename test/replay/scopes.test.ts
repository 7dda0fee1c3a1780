import { expandScopes } from "../../graders/replay/scopes";

const ops = [
  { op: "scope", action: "enter" },
  { op: "alloc", id: 1, size: 16, scoped: true },
  { op: "alloc", id: 2, size: 16 },
  { op: "scope", action: "throw" },
  { op: "free", id: 1 },
  { op: "free", id: 2 },
  { op: "scope", action: "exit" },
  { op: "alloc", id: 3, size: 8 },
];

describe("expandScopes", () => {
  it("without RAII, a throw skips the frees that would have followed: the blocks leak", () => {
    const { ops: out, origin } = expandScopes(ops, false);
    expect(out.map((o) => `${o.op}${o.id ?? ""}`)).toEqual(["alloc1", "alloc2", "alloc3"]);
    expect(origin).toEqual([1, 2, 7]);
  });

  it("with RAII, the scoped block is released when the throw unwinds; the unscoped one still leaks", () => {
    const { ops: out } = expandScopes(ops, true);
    expect(out.map((o) => `${o.op}${o.id ?? ""}${o.raii ? "(raii)" : ""}`)).toEqual(["alloc1", "alloc2", "free1(raii)", "alloc3"]);
  });

  it("with RAII, a normal exit releases the scope's live scoped blocks once", () => {
    const normal = [
      { op: "scope", action: "enter" },
      { op: "alloc", id: 1, size: 16, scoped: true },
      { op: "alloc", id: 2, size: 16, scoped: true },
      { op: "free", id: 2 },
      { op: "scope", action: "exit" },
    ];
    expect(expandScopes(normal, true).ops.map((o) => `${o.op}${o.id}`)).toEqual(["alloc1", "alloc2", "free2", "free1"]);
    expect(expandScopes(normal, false).ops.map((o) => `${o.op}${o.id}`)).toEqual(["alloc1", "alloc2", "free2"]);
  });

  it("leaves workloads without scopes as they are", () => {
    const plain = [{ op: "alloc", id: 1, size: 1 }];
    expect(expandScopes(plain, true).ops).toEqual(plain);
  });
});
