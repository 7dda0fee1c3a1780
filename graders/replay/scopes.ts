/**
 * Scopes, for leaks and RAII (DESIGN.md §5). `scope enter` opens a scope;
 * `scope exit` closes it; `scope throw` unwinds to the innermost open scope's
 * exit, skipping the ops in between (the frees that would have followed).
 * With `raii: true`, the blocks allocated with `scoped: true` inside a scope
 * that closes or unwinds are freed at that point, as destructors would; with
 * `raii: false` an unwound scope's blocks simply stay allocated — leaked.
 *
 * Expansion happens before the replay, from the workload alone: the result
 * is a flat op list whose `free` ops carry `raii: true` when a destructor
 * made them, plus the index of the original op each one came from.
 */

type AnyOp = { readonly op: string; readonly [k: string]: unknown };

/** A flat op list and, for each op, the index of the workload op it came from. */
export interface ExpandedOps {
  readonly ops: readonly AnyOp[];
  /** Undefined when the workload has no scopes (every op is its own origin). */
  readonly origin?: number[];
}

/** Expands scope ops into plain ops. Workloads without scopes come back unchanged. */
export function expandScopes(input: readonly AnyOp[], raii: boolean): ExpandedOps {
  if (!input.some((o) => o.op === "scope")) return { ops: input };
  const ops: AnyOp[] = [];
  const origin: number[] = [];
  // Each open scope: the ids allocated with scoped: true inside it, still live.
  const stack: Set<number>[] = [];
  let skipDepth = -1; // while unwinding: the stack depth we unwind to
  const release = (scope: Set<number>, at: number): void => {
    if (!raii) return;
    for (const id of [...scope].reverse()) {
      ops.push({ op: "free", id, raii: true });
      origin.push(at);
    }
  };
  for (let i = 0; i < input.length; i++) {
    const op = input[i];
    if (op.op === "scope") {
      const action = op.action;
      if (action === "enter") {
        stack.push(new Set());
        continue;
      }
      if (action === "exit") {
        const scope = stack.pop();
        if (scope && skipDepth < 0) release(scope, i);
        if (skipDepth >= 0 && stack.length <= skipDepth) skipDepth = -1;
        continue;
      }
      if (action === "throw" && skipDepth < 0) {
        // Unwind the innermost scope: its destructors run now; the ops up to its exit are skipped.
        const scope = stack[stack.length - 1];
        if (scope) {
          release(scope, i);
          scope.clear();
          skipDepth = stack.length - 1;
        }
        continue;
      }
      continue;
    }
    if (skipDepth >= 0) continue;
    if (op.op === "alloc" && op.scoped === true && stack.length > 0) stack[stack.length - 1].add(op.id as number);
    if (op.op === "free") for (const s of stack) s.delete(op.id as number);
    ops.push(op);
    origin.push(i);
  }
  return { ops, origin };
}
