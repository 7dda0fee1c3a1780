/**
 * Frame-allocator challenges: the submission manages physical frames. The
 * workload's `alloc {id, size}` asks for a naturally aligned run of frames
 * (size = page size x 2^order, e.g. "4KiB" or "2MiB"), `free {id}` returns
 * it. Process streams work too (the `frames` generator): `map {pid, vaddr,
 * pageSize}` asks for the frames of one page of that process, and `exit
 * {pid}` returns all of them. Each answer is checked: a frame number or -1; aligned to its order;
 * inside memory; not overlapping a live run. Refusing is allowed (memory
 * may really be fragmented); the metric `hugePageRate` — the share of
 * huge-page-sized requests that succeeded — is what a good allocator raises.
 */
import type { NormalizedMachine } from "../../core/machine/config";
import { hex, log2Exact } from "../../core/machine/units";
import type { FrameAllocator, FrameAllocatorPlugin } from "../../core/sdk/types";
import type { RunJob } from "../protocol";
import type { Failure, Verdict } from "../results";
import { RunStop, pluginFailure } from "./failure";
import { LiveBlocks } from "./live-blocks";
import { num } from "./machine-replay";
import { opText } from "./ops";

type AnyOp = { readonly op: string; readonly [k: string]: unknown };

/** What a frame-allocator replay produced. */
export interface FramesReplayResult {
  readonly verdict: Verdict;
  readonly metrics: Record<string, number>;
  readonly failures: readonly Failure[];
  readonly opsReplayed: number;
}

/** Replays a frame workload against a frame allocator. */
export function replayFrames(input: {
  job: RunJob;
  plugin: unknown;
  config: NormalizedMachine;
  ops: readonly unknown[];
  seed: number;
  onOp?: (index: number, outcome: Record<string, unknown>) => void;
  /** Called as each op starts (JobPlugins.progress). */
  progress?: (op: number) => void;
}): FramesReplayResult {
  const { config } = input;
  const name = input.job.plugin.name;
  const plugin = input.plugin as FrameAllocatorPlugin;
  const ops = input.ops as readonly AnyOp[];
  const frameSize = config.paging.pageSize;
  const count = Math.floor(config.physicalMemoryBytes / frameSize);
  const maxOrder = Math.max(0, ...config.paging.hugePageShifts.map((s) => s - config.paging.pageShift));
  const hugeOrder = config.paging.hugePageShifts.length > 0 ? config.paging.hugePageShifts[0] - config.paging.pageShift : maxOrder;
  // Live runs, in frame numbers (LiveBlocks works on any integer intervals).
  const live = new LiveBlocks();
  let index = 0;
  const call = <T>(hook: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw pluginFailure(e, { plugin: name, hook, op: index, opText: opText(ops[index]) });
    }
  };
  const fail = (check: string, message: string): never => {
    throw new RunStop("fail", { op: index, check, message: `${check}: ${message} at op ${index} (${opText(ops[index])})` });
  };
  let requests = 0;
  let refused = 0;
  let hugeRequests = 0;
  let hugeGranted = 0;
  let peakFrames = 0;
  /** Ids of the runs backing each process's mapped pages. */
  const pagesOf = new Map<number, number[]>();
  let nextPageId = 2 ** 40;
  let verdict: Verdict = "pass";
  const failures: Failure[] = [];
  try {
    const alloc: FrameAllocator = call("create", () => plugin.create(Object.freeze({ count, frameSize, maxOrder })));
    /** Asks for the frames of `size` bytes under `id`; returns the event. */
    const request = (id: number, size: number): Record<string, unknown> => {
      const order = log2Exact(Math.max(1, Math.ceil(size / frameSize)));
      if (order < 0) throw new Error(`workload error: frame request of ${size} bytes is not page size x 2^order`);
      requests++;
      if (order >= hugeOrder && hugeOrder > 0) hugeRequests++;
      const pfn = call("alloc", () => alloc.alloc(order));
      if (pfn === -1) {
        refused++;
        return { frame: null, order };
      }
      const frames = 2 ** order;
      if (!Number.isSafeInteger(pfn) || pfn < 0) fail("invalidReturn", `${name}.alloc(${order}) returned ${String(pfn)}, expected -1 or a frame number`);
      if (pfn % frames !== 0) fail("alignment", `${name}.alloc(${order}) returned frame ${pfn}, not aligned to ${frames} frames`);
      if (pfn + frames > count) fail("bounds", `${name}.alloc(${order}) returned frames [${pfn}, ${pfn + frames}), beyond the ${count} frames of memory`);
      const other = live.overlapping(pfn, frames);
      if (other) fail("overlap", `${name}.alloc(${order}) returned frames [${pfn}, ${pfn + frames}) (${hex(pfn * frameSize)}), overlapping live run ${other.id} [${other.ptr}, ${other.ptr + other.size}) allocated at op ${other.op}`);
      live.add({ id, ptr: pfn, size: frames, patternSeed: 0, op: index });
      if (order >= hugeOrder && hugeOrder > 0) hugeGranted++;
      peakFrames = Math.max(peakFrames, live.liveBytes);
      return { frame: pfn, order };
    };
    const release = (id: number): Record<string, unknown> => {
      const run = live.get(id);
      if (!run) return { skipped: "not live" };
      call("free", () => alloc.free(run.ptr, log2Exact(run.size)));
      live.remove(id);
      return { frame: run.ptr };
    };
    for (index = 0; index < ops.length; index++) {
      input.progress?.(index);
      const op = ops[index];
      let event: Record<string, unknown> = {};
      if (op.op === "alloc") {
        event = request(op.id as number, num(op.size));
      } else if (op.op === "map") {
        // Runs of process pages get ids above any block id, one per mapped page.
        const id = nextPageId++;
        const pid = num(op.pid);
        const mine = pagesOf.get(pid) ?? [];
        mine.push(id);
        pagesOf.set(pid, mine);
        event = request(id, num(op.pageSize, frameSize));
      } else if (op.op === "exit") {
        const pid = num(op.pid);
        for (const id of pagesOf.get(pid) ?? []) release(id);
        pagesOf.delete(pid);
        event = { pid };
      } else if (op.op === "spawn") {
        event = { pid: num(op.pid) };
      } else if (op.op === "free") {
        event = release(op.id as number);
      } else {
        event = { skipped: `op "${op.op}" does not apply to a frame allocator` };
      }
      input.onOp?.(index, event);
    }
  } catch (e) {
    if (!(e instanceof RunStop)) throw e;
    verdict = e.verdict;
    failures.push(e.failure);
  }
  return {
    verdict,
    metrics: {
      requests,
      refused,
      hugePageRequests: hugeRequests,
      hugePagesGranted: hugeGranted,
      hugePageRate: hugeRequests > 0 ? hugeGranted / hugeRequests : 1,
      peakFrameBytes: peakFrames * frameSize,
    },
    failures,
    opsReplayed: index,
  };
}
