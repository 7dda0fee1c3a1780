/**
 * A sanitizer and the allocator it wraps share the process's address space
 * but not their 16 registers: a sanitizer that keeps scalars in its
 * registers cannot clobber next-fit's roving pointer (kept in its registers),
 * nor the other way round.
 */
import { defineSanitizer } from "memarena";
import nextFit from "../../plugins/allocators/next-fit";
import type { Challenge } from "../../graders/challenge/types";
import { runSanitizer, type TestOp } from "./harness";
import { runJob } from "../../graders/replay/run-job";

/** Fills every register with its own marks and checks them before and after each call it forwards. */
const scribbler = defineSanitizer({
  name: "scribbler",
  create(heap, inner) {
    const mark = (i: number): number => 1000 + i;
    for (let i = 0; i < 16; i++) heap.registers[i] = mark(i);
    const intact = (): void => {
      for (let i = 0; i < 16; i++) if (heap.registers[i] !== mark(i)) throw new Error(`register ${i} changed under the sanitizer: ${heap.registers[i]}`);
    };
    return {
      malloc(n: number) {
        intact();
        const p = inner.malloc(n);
        intact();
        return p;
      },
      free(p: number) {
        intact();
        inner.free(p);
        intact();
      },
      realloc(p: number, n: number) {
        intact();
        const q = inner.realloc(p, n);
        intact();
        return q;
      },
    };
  },
});

describe("sanitizer and wrapped allocator registers", () => {
  it("are separate: the sanitizer's marks survive next-fit, and next-fit still allocates correctly", () => {
    const ops: Record<string, unknown>[] = [];
    for (let i = 0; i < 40; i++) ops.push({ op: "alloc", id: i, size: 24 + (i % 5) * 40 });
    for (let i = 0; i < 40; i += 2) ops.push({ op: "free", id: i });
    for (let i = 40; i < 60; i++) ops.push({ op: "alloc", id: i, size: 32 });
    for (let i = 1; i < 40; i += 2) ops.push({ op: "free", id: i });
    for (let i = 40; i < 60; i++) ops.push({ op: "free", id: i });
    const run = runSanitizer(scribbler, ops as TestOp[], { allocator: nextFit });
    expect(run.result.failures).toEqual([]);
    expect(run.result.verdict).toBe("pass");
    // The scribbler passes pointers through, so next-fit must answer exactly as it does alone: its roving
    // pointer (kept in its registers) was not disturbed by the sanitizer's.
    const alone = runJob(
      { challenge: { id: "test/next-fit", subject: "allocator", seed: 3, workload: { ops }, checks: { alignment: 16 } } as unknown as Challenge, plugin: { name: nextFit.name, kind: "allocator", file: "<test>", sha256: "", code: "" }, events: true },
      { main: nextFit },
    );
    const addressesOf = (events: readonly Record<string, unknown>[] | undefined): number[] =>
      (events ?? []).filter((e) => (e.op as { op: string }).op === "alloc").map((e) => e.address as number);
    expect(addressesOf(run.result.events)).toHaveLength(60);
    expect(addressesOf(run.result.events)).toEqual(addressesOf(alone.events));
  });
});
