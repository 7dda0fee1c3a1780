/**
 * AllocatorTester: what students use in their own jest tests, in the spirit
 * of ESLint's RuleTester. Give it a plugin and tables of cases; each `valid`
 * case must pass every check, each `invalid` case must be caught by the named
 * check. It runs the grader's own replay in-process (no sandbox), so a
 * failure message is exactly what `memarena grade` would print.
 *
 *   new AllocatorTester().run(myAllocator, {
 *     valid: [{ name: "reuse", ops: [{ op: "alloc", id: 1, size: 24 }, { op: "free", id: 1 }] }],
 *     invalid: [],
 *   });
 */
import type { MachineConfig } from "../../core/machine/config";
import type { AllocatorPlugin } from "../../core/sdk/types";
import type { Challenge, Op } from "../challenge/types";
import type { RunResult } from "../protocol";
import { runJob } from "../replay/run-job";

/** One case of a table. */
export interface TesterCase {
  readonly name?: string;
  /** The ops to replay (ids, sizes as in a challenge file). */
  readonly ops: readonly Op[];
  /** Re-create the allocator mid-run (on by default). */
  readonly heapResidentMetadata?: boolean;
  /** Heap limit in bytes. */
  readonly heapBytes?: number;
}

/** A case that must be caught. */
export interface InvalidCase extends TesterCase {
  /** The check (or error code) that must catch it: overlap, alignment, payloadIntegrity, PLUGIN_THREW, ... */
  readonly check: string;
}

/** Settings shared by the cases. */
export interface TesterOptions {
  readonly machine?: MachineConfig;
  readonly alignment?: 8 | 16;
  readonly seed?: number;
}

/** Test-framework hooks (jest's globals by default). */
type Describe = (name: string, fn: () => void) => void;
type It = (name: string, fn: () => void) => void;

/** Runs allocator cases through the grader's checks. */
export class AllocatorTester {
  constructor(private readonly options: TesterOptions = {}) {}

  /** Replays ops against a plugin and returns the raw run result (for custom assertions). */
  replay(plugin: AllocatorPlugin, c: TesterCase): RunResult {
    const challenge = {
      id: `tester/${c.name ?? "case"}`,
      subject: "allocator",
      seed: this.options.seed ?? 1,
      machine: this.options.machine ?? {},
      workload: { ops: c.ops },
      checks: { alignment: this.options.alignment ?? 16, heapResidentMetadata: c.heapResidentMetadata ?? true },
      limits: { heapBytes: c.heapBytes ?? 64 * 1024 * 1024 },
    } as unknown as Challenge;
    return runJob(
      { challenge, plugin: { name: plugin.name, kind: "allocator", file: "<tester>", sha256: "", code: "" } },
      { main: plugin },
    );
  }

  /** Registers one jest test per case (describe/it from the globals, as RuleTester does). */
  run(plugin: AllocatorPlugin, tables: { valid?: readonly TesterCase[]; invalid?: readonly InvalidCase[] }): void {
    const g = globalThis as unknown as { describe?: Describe; it?: It };
    if (typeof g.describe !== "function" || typeof g.it !== "function") {
      throw new Error("AllocatorTester.run needs a test framework with describe/it (jest, vitest); use replay() otherwise");
    }
    const describe = g.describe;
    const it = g.it;
    describe(plugin.name, () => {
      describe("valid", () => {
        (tables.valid ?? []).forEach((c, i) => {
          it(c.name ?? `valid #${i}`, () => {
            const r = this.replay(plugin, c);
            if (r.verdict !== "pass") throw new Error(`expected every check to pass, got ${r.verdict}: ${r.failures[0]?.message ?? ""}`);
          });
        });
      });
      describe("invalid", () => {
        (tables.invalid ?? []).forEach((c, i) => {
          it(c.name ?? `invalid #${i}`, () => {
            const r = this.replay(plugin, c);
            const caught = r.failures.some((f) => f.check === c.check);
            if (!caught) {
              throw new Error(`expected the ${c.check} check to catch this case, got ${r.verdict}${r.failures[0] ? ` (${r.failures[0].check}): ${r.failures[0].message}` : ""}`);
            }
          });
        });
      });
    });
  }
}
