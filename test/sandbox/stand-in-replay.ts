/**
 * A tiny replay for sandbox tests, bundled into a test build of the child in
 * place of graders/replay/run-job.ts: create the allocator over a plain-JS
 * heap, then malloc/free in a loop, checking what malloc returns. The
 * sandbox is under test here, not the replay.
 *
 * `job.challenge.standIn`: `{ ops?: number, crash?: boolean }`; `crash`
 * makes the replay itself throw (a grader bug: internal-error).
 */
import type { AllocatorPlugin } from "memarena";
import { FakeHeap } from "../helpers/fake-heap";
import { callPlugin, PluginFault, withOp } from "../../graders/sandbox/guard";
import type { RunJob, RunResult } from "../../graders/protocol";

interface StandInOptions {
  readonly ops?: number;
  readonly crash?: boolean;
}

/** Replays `ops` mallocs (sizes 16..79) with a free after every second one. */
export function runJob(job: RunJob, plugins: { main: unknown }): RunResult {
  const options = ((job.challenge as unknown as { standIn?: StandInOptions }).standIn ?? {}) as StandInOptions;
  if (options.crash) throw new TypeError("stand-in replay: a deliberate grader bug");
  const plugin = plugins.main as AllocatorPlugin;
  const name = job.plugin.name;
  const ops = options.ops ?? 200;
  const heap = new FakeHeap({ heapStart: 0x10000, heapLimit: 1 << 24 });
  let op = 0;
  let checksum = 0;
  const live: number[] = [];
  try {
    const allocator = callPlugin(name, "create", (h: FakeHeap) => plugin.create(h), heap);
    callPlugin(name, "init", () => allocator.init?.());
    for (; op < ops; op++) {
      const size = 16 + (op % 64);
      const ptr = callPlugin(name, "malloc", (n: number) => allocator.malloc(n), size);
      if (typeof ptr !== "number" || !Number.isSafeInteger(ptr) || ptr < 0) {
        const message = `invalidReturn: ${name}.malloc(${size}) returned ${typeof ptr === "number" ? String(ptr) : typeof ptr}, expected 0 or a non-negative integer address at op ${op} (a ${op} ${size})`;
        return { verdict: "fail", metrics: { ops: op }, failures: [{ op, check: "invalidReturn", message }], opsReplayed: op };
      }
      checksum = (checksum * 31 + ptr) % 1_000_000_007;
      live.push(ptr);
      if (op % 2 === 1) callPlugin(name, "free", (p: number) => allocator.free(p), live.shift()!);
    }
  } catch (e) {
    const fault = withOp(e, op, `a ${op} ${16 + (op % 64)}`);
    if (fault instanceof PluginFault) return { verdict: "error", metrics: {}, failures: [fault.toFailure()], opsReplayed: op };
    throw e;
  }
  return { verdict: "pass", metrics: { ops, checksum, heapBytes: heap.heapEnd - heap.heapStart }, failures: [], opsReplayed: ops };
}
