/**
 * Replays a heap workload against an allocator, checking every answer.
 *
 * The primary machine runs the allocator and all checks. When the challenge
 * sets `checks.heapResidentMetadata`, a replica machine runs the same
 * workload through a second instance that is re-created (`create(heap)`
 * again, no `init()`) at seeded points; an allocator whose state lives in
 * simulated memory and `heap.registers` is a function of that state, so the
 * two must give the same answers. Any divergence is state kept outside
 * simulated memory — a failure by construction, not by heuristic.
 */
import type { Allocator, AllocatorPlugin, Heap } from "../../core/sdk/types";
import type { Machine } from "../../core/machine/types";
import { hex } from "../../core/machine/units";
import { C_DATA_FRAMES, C_SBRK_FAILURES } from "../../core/machine/constants";
import type { Failure } from "../results";
import { HeapMetrics } from "./heap-metrics";
import { LiveBlocks, type LiveBlock } from "./live-blocks";
import { PatternBuffer, PatternSource, firstDifference, patternSeed } from "./payload";
import { RunStop, pluginFailure } from "./failure";
import type { HeapOp } from "./ops";
import { opText } from "./ops";
import { SeriesRecorder } from "./series";
import { dmaTransfer } from "./dma-op";

/** Which allocator checks are on. */
export interface AllocatorChecks {
  readonly alignment: number;
  readonly bounds: boolean;
  readonly overlap: boolean;
  readonly payloadIntegrity: boolean;
  readonly reallocPreserves: boolean;
}

/** Everything one allocator replay needs. */
export interface AllocatorReplayInput {
  readonly pluginName: string;
  readonly plugin: AllocatorPlugin;
  readonly ops: readonly HeapOp[];
  readonly machine: Machine;
  readonly pid: number;
  readonly checks: AllocatorChecks;
  readonly seed: number;
  /** The replica for heap-resident metadata, with the op indices before which it re-creates its allocator. */
  readonly replica?: { readonly machine: Machine; readonly pid: number; readonly recreateAt: readonly number[] };
  /** Take an external-fragmentation sample every this many ops. */
  readonly sampleEvery?: number;
  /** For each op, the index of the workload op it came from (scopes expand into frees); default: itself. */
  readonly origin?: readonly number[];
  /** Record series for pictures. */
  readonly details?: boolean;
  /** Called after each op with its index and outcome (events file, series). */
  readonly onOp?: (index: number, outcome: Record<string, unknown>) => void;
  /** Runs `fn` with the plugin's console output not kept (JobPlugins.quiet): the replica's calls print nothing. */
  readonly quiet?: <T>(fn: () => T) => T;
  /** Called as each op starts, with its workload index (JobPlugins.progress). */
  readonly progress?: (op: number) => void;
}

/** What an allocator replay measured. */
export interface AllocatorReplayResult {
  readonly metrics: Record<string, number>;
  readonly failure?: Failure;
  readonly verdict: "pass" | "fail" | "error";
  readonly opsReplayed: number;
  readonly series?: Record<string, number[]>;
  /** Blocks still live at the end, by id, with the op that allocated each. */
  readonly leaked: readonly { id: number; ptr: number; size: number; op: number }[];
}

/** The machine kernel's buffer-free pattern writes and checks (MachineKernel). */
interface PatternKernel {
  pokeSource(pid: number, vaddr: number, length: number, src: PatternSource, srcPos: number): boolean;
  compareSource(pid: number, vaddr: number, length: number, src: PatternSource, srcPos: number): number;
}

interface Instance {
  readonly heap: Heap;
  alloc: Allocator;
}

/** Runs the replay; never throws for the plugin's mistakes (only for memarena's own). */
export function replayAllocator(input: AllocatorReplayInput): AllocatorReplayResult {
  const { plugin, ops, machine, pid, checks } = input;
  const kernel = machine.kernel;
  const heap = kernel.heap(pid);
  const metrics = new HeapMetrics();
  const live = new LiveBlocks();
  const patterns = new PatternBuffer();
  const series = input.details ? new SeriesRecorder(ops.length) : undefined;
  const layout = () => ({ start: heap.heapStart, end: heap.heapEnd, blocks: live.inAddressOrder(), regions: kernel.regions(pid) });
  const sampleEvery = input.sampleEvery ?? Math.max(1, Math.floor(ops.length / 256));
  let index = 0;
  /** The workload's index of the current op, for messages. */
  const at = (): number => (input.origin ? input.origin[index] : index);

  const call = <T>(hook: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw pluginFailure(e, { plugin: input.pluginName, hook, op: at(), opText: opText(ops[index]) });
    }
  };
  const fail = (check: string, message: string, data?: Record<string, unknown>): never => {
    throw new RunStop("fail", { op: at(), check, message: `${message} at op ${at()} (${opText(ops[index])})`, data });
  };
  const blockText = (b: { id: number; ptr: number; size: number }): string =>
    `block ${b.id} [${hex(b.ptr)}, ${hex(b.ptr + b.size)}) of ${b.size} bytes`;

  const quiet = input.quiet ?? (<T>(fn: () => T): T => fn());
  const primary: Instance = { heap, alloc: undefined as unknown as Allocator };
  const replica: Instance | undefined = input.replica
    ? { heap: input.replica.machine.kernel.heap(input.replica.pid), alloc: undefined as unknown as Allocator }
    : undefined;
  const recreateAt = new Set(input.replica?.recreateAt ?? []);
  let lastRecreation = -1;

  const inRegion = (ptr: number, size: number): boolean => {
    if (ptr >= heap.heapStart && ptr + size <= heap.heapEnd) return true;
    for (const r of kernel.regions(pid)) {
      if (r.kind === "mmap" && r.protection === "rw" && ptr >= r.start && ptr + size <= r.end) return true;
    }
    return false;
  };

  // The machine kernel's buffer-free forms of poke and peek-and-compare, when the kernel has them.
  const fastKernel = typeof (kernel as Partial<PatternKernel>).pokeSource === "function" ? (kernel as unknown as PatternKernel) : undefined;
  const replicaKernel = input.replica?.machine.kernel;
  const fastReplicaKernel = typeof (replicaKernel as Partial<PatternKernel> | undefined)?.pokeSource === "function" ? (replicaKernel as unknown as PatternKernel) : undefined;
  const source = new PatternSource();

  const writePattern = (block: LiveBlock): void => {
    if (fastKernel) {
      source.seed = block.patternSeed;
      if (!fastKernel.pokeSource(pid, block.ptr, block.size, source, 0)) fail("bounds", `payload of ${blockText(block)} is not mapped memory`);
      if (replica && input.replica) {
        if (fastReplicaKernel) fastReplicaKernel.pokeSource(input.replica.pid, block.ptr, block.size, source, 0);
        else input.replica.machine.kernel.poke(input.replica.pid, block.ptr, patterns.pattern(block.size, block.patternSeed));
      }
      return;
    }
    const bytes = patterns.pattern(block.size, block.patternSeed);
    if (!kernel.poke(pid, block.ptr, bytes)) fail("bounds", `payload of ${blockText(block)} is not mapped memory`);
    if (replica && input.replica) input.replica.machine.kernel.poke(input.replica.pid, block.ptr, bytes);
  };
  const verifyPattern = (block: LiveBlock, length: number, when: string, check = "payloadIntegrity"): void => {
    if (!checks.payloadIntegrity || length === 0) return;
    if (fastKernel) {
      source.seed = block.patternSeed;
      if (fastKernel.compareSource(pid, block.ptr, length, source, 0) === -1) return;
    }
    // The bytes are compared again here, on the way to the message (or when the kernel cannot compare).
    const actual = kernel.peek(pid, block.ptr, length);
    const expected = patterns.pattern(length, block.patternSeed);
    const at = actual === null ? 0 : firstDifference(actual, expected, length);
    if (at >= 0) {
      const found = actual === null ? "unmapped memory" : `0x${actual[at].toString(16).padStart(2, "0")}`;
      fail(
        check,
        `${check}: ${when}, byte ${at} of ${blockText(block)} (address ${hex(block.ptr + at)}) is ${found}, expected 0x${expected[at].toString(16).padStart(2, "0")} as written when the block was allocated at op ${block.op}`,
        { block: { id: block.id, ptr: block.ptr, size: block.size }, offset: at },
      );
    }
  };

  /** Checks a pointer the allocator returned for `size` bytes (`self` = the block being reallocated). */
  const checkReturned = (ptr: number, size: number, hook: string, align: number, self?: LiveBlock): void => {
    if (typeof ptr !== "number" || !Number.isSafeInteger(ptr) || ptr < 0) {
      fail("invalidReturn", `invalidReturn: ${input.pluginName}.${hook}(${size}) returned ${typeof ptr === "number" ? String(ptr) : typeof ptr}, expected 0 or a non-negative integer address`);
    }
    if (ptr === 0) return;
    if (ptr % align !== 0) {
      fail("alignment", `alignment: ${input.pluginName}.${hook}(${size}) returned ${hex(ptr)}, which is not a multiple of ${align} (off by ${ptr % align})`, { ptr, align });
    }
    if (checks.overlap) {
      const other = live.overlapping(ptr, size);
      if (other && other !== self) {
        fail("overlap", `overlap: ${input.pluginName}.${hook}(${size}) returned [${hex(ptr)}, ${hex(ptr + size)}), which overlaps live ${blockText(other)} allocated at op ${other.op}`, { ptr, size, other: { id: other.id, ptr: other.ptr, size: other.size } });
      }
    }
    if (checks.bounds && !inRegion(ptr, size)) {
      fail("bounds", `bounds: ${input.pluginName}.${hook}(${size}) returned [${hex(ptr)}, ${hex(ptr + size)}), which is not inside the heap [${hex(heap.heapStart)}, ${hex(heap.heapEnd)}) or a read-write mmapped region`, { ptr, size });
    }
  };

  const counters = machine.counters;
  const settledCounters = (): Float64Array => {
    machine.kernel.settleCounters();
    return counters;
  };
  const pageSize = machine.config.paging.pageSize;
  const sbrkFailed = (before: number): boolean => counters[C_SBRK_FAILURES] > before;

  /** Runs `fn` on the replica's allocator and compares its answer with the primary's. */
  const mirror = (describe: () => string, primaryResult: number, fn: (a: Allocator) => number): void => {
    if (!replica) return;
    const what = describe();
    let replicaResult: number;
    try {
      replicaResult = quiet(() => fn(replica.alloc));
    } catch (e) {
      const stop = pluginFailure(e, { plugin: input.pluginName, hook: what, op: at(), opText: opText(ops[index]) });
      fail("heapResidentMetadata", `heapResidentMetadata: after the allocator was re-created at op ${lastRecreation} (create(heap) again, without init()), ${stop.failure.message}; the instance that was not re-created did not throw. Keep all allocator state in simulated memory and heap.registers`);
      return;
    }
    if (!Object.is(replicaResult, primaryResult)) {
      const since = lastRecreation >= 0 ? `after the allocator was re-created at op ${lastRecreation} (create(heap) again, without init()), ` : "";
      fail(
        "heapResidentMetadata",
        `heapResidentMetadata: ${since}${what} returned ${hex(replicaResult)} where the same allocator, not re-created, returned ${hex(primaryResult)}: ${lastRecreation >= 0 ? "it keeps state outside simulated memory and heap.registers" : "it is not deterministic (it must not depend on time or on anything but the heap)"}`,
        { replica: replicaResult, primary: primaryResult, recreatedAt: lastRecreation },
      );
    }
  };

  let verdict: "pass" | "fail" | "error" = "pass";
  let failure: Failure | undefined;
  try {
    primary.alloc = call("create", () => plugin.create(heap));
    if (typeof primary.alloc?.malloc !== "function" || typeof primary.alloc.free !== "function") {
      fail("invalidReturn", `${input.pluginName}.create(heap) must return an object with malloc and free functions`);
    }
    call("init", () => primary.alloc.init?.());
    if (replica) {
      replica.alloc = quiet(() => call("create", () => plugin.create(replica.heap)));
      quiet(() => call("init", () => replica.alloc.init?.()));
    }

    const wantOutcome = input.onOp !== undefined;
    const progress = input.progress;
    for (index = 0; index < ops.length; index++) {
      if (progress) progress(at());
      if (replica && recreateAt.has(index)) {
        replica.alloc = quiet(() => call("create", () => plugin.create(replica.heap)));
        lastRecreation = index;
      }
      const op = ops[index];
      let outcome: Record<string, unknown> | undefined;
      switch (op.op) {
        case "alloc": {
          if (live.get(op.id)) throw new Error(`workload error: id ${op.id} allocated twice`);
          const align = op.align ?? checks.alignment;
          const failuresBefore = counters[C_SBRK_FAILURES];
          // An alignment above the default is passed as malloc's second argument (like aligned_alloc).
          // The hot hooks are called inline, not through call(): no closure per op.
          let ptr: number;
          try {
            ptr = op.align === undefined ? primary.alloc.malloc(op.size) : primary.alloc.malloc(op.size, op.align);
          } catch (e) {
            throw pluginFailure(e, { plugin: input.pluginName, hook: "malloc", op: at(), opText: opText(ops[index]) });
          }
          checkReturned(ptr, op.size, "malloc", align);
          if (replica) mirror(() => `malloc(${op.size})`, ptr, (a) => (op.align === undefined ? a.malloc(op.size) : a.malloc(op.size, op.align)));
          if (ptr === 0) {
            if (!sbrkFailed(failuresBefore)) {
              fail("nullReturn", `nullReturn: ${input.pluginName}.malloc(${op.size}) returned 0 although the heap limit was not reached (sbrk never returned -1 during the call)`);
            }
            if (wantOutcome) outcome = { address: null };
            break;
          }
          const block: LiveBlock = { id: op.id, ptr, size: op.size, patternSeed: patternSeed(input.seed, op.id, index), op: at() };
          live.add(block);
          if (checks.payloadIntegrity) writePattern(block);
          if (primary.alloc.usableSize) metrics.observeUsable(op.size, call("usableSize", () => primary.alloc.usableSize!(ptr)));
          if (wantOutcome) outcome = { address: ptr };
          break;
        }
        case "free": {
          const block = live.get(op.id);
          if (!block) {
            if (wantOutcome) outcome = { skipped: "id not live (its allocation failed)" };
            break;
          }
          verifyPattern(block, block.size, "at free");
          try {
            primary.alloc.free(block.ptr);
          } catch (e) {
            throw pluginFailure(e, { plugin: input.pluginName, hook: "free", op: at(), opText: opText(ops[index]) });
          }
          if (replica) mirror(() => `free(${hex(block.ptr)})`, 0, (a) => (a.free(block.ptr), 0));
          live.remove(op.id);
          if (wantOutcome) outcome = { address: block.ptr };
          break;
        }
        case "realloc": {
          const block = live.get(op.id);
          const oldPtr = block?.ptr ?? 0;
          if (block) verifyPattern(block, block.size, "before realloc");
          const failuresBefore = counters[C_SBRK_FAILURES];
          const doRealloc = (a: Allocator): number => {
            if (a.realloc) return a.realloc(oldPtr, op.size);
            const fresh = a.malloc(op.size);
            if (fresh !== 0 && block) {
              const inst = a === primary.alloc ? primary : replica!;
              inst.heap.copy(fresh, oldPtr, Math.min(block.size, op.size));
              a.free(oldPtr);
            }
            return fresh;
          };
          const ptr = call("realloc", () => doRealloc(primary.alloc));
          if (block) live.remove(op.id);
          checkReturned(ptr, op.size, "realloc", checks.alignment);
          if (replica) mirror(() => `realloc(${hex(oldPtr)}, ${op.size})`, ptr, doRealloc);
          if (ptr === 0) {
            if (!sbrkFailed(failuresBefore)) {
              fail("nullReturn", `nullReturn: ${input.pluginName}.realloc(${hex(oldPtr)}, ${op.size}) returned 0 although the heap limit was not reached`);
            }
            // A failed realloc leaves the old block live and untouched.
            if (block) live.add(block);
            if (wantOutcome) outcome = { address: null };
            break;
          }
          const moved: LiveBlock = { id: op.id, ptr, size: op.size, patternSeed: block?.patternSeed ?? 0, op: at() };
          if (block && checks.reallocPreserves) {
            verifyPattern(moved, Math.min(block.size, op.size), `after realloc from ${hex(oldPtr)} (${block.size} bytes) to ${hex(ptr)} (${op.size} bytes) the old contents must be kept, but`, "reallocPreserves");
          }
          moved.patternSeed = patternSeed(input.seed, op.id, index);
          live.add(moved);
          if (checks.payloadIntegrity) writePattern(moved);
          if (wantOutcome) outcome = { address: ptr, from: oldPtr };
          break;
        }
        case "read":
        case "write": {
          const block = live.get(op.id);
          if (!block) {
            outcome = { skipped: "id not live" };
            break;
          }
          outcome = applicationAccess(heap, block, op.offset, op.length, op.op === "write", patterns);
          break;
        }
        case "dma": {
          // A driver hands a block's payload to a device (DMA challenges with an allocator).
          const block = live.get(op.id);
          if (!block) {
            outcome = { skipped: "id not live" };
            break;
          }
          const r = dmaTransfer(machine.dma, op.device, pid, block.ptr + op.offset, Math.min(op.length, block.size - op.offset), op.dir);
          outcome = r.event;
          // A device write changes the payload: the grader's expectation follows it.
          if (op.dir === "from-device" && r.ok) writePattern(block);
          break;
        }
        default:
          outcome = { skipped: `op "${(op as { op: string }).op}" does not apply to an allocator` };
      }
      const heapBytes = kernel.mappedBytes(pid);
      metrics.observe(live.liveBytes, heapBytes);
      metrics.observeFrames(counters[C_DATA_FRAMES] * pageSize, live.liveBytes);
      if (index % sampleEvery === 0) {
        const g = live.gaps(heap.heapStart, heap.heapEnd);
        metrics.observeGaps(g.largest, g.total);
      }
      series?.observe(index, live.liveBytes, heapBytes, settledCounters, layout, index === ops.length - 1);
      if (wantOutcome) input.onOp!(at(), { ...outcome, live: live.liveBytes, heap: heapBytes });
    }
    // Everything still live must still hold its bytes at the end.
    for (const block of live.inAddressOrder()) verifyPattern(block, block.size, "at the end of the run");
  } catch (e) {
    if (!(e instanceof RunStop)) throw e;
    verdict = e.verdict === "fail" ? "fail" : "error";
    failure = e.failure;
  }

  return {
    metrics: { ...metrics.result(), ops: index },
    failure,
    verdict,
    opsReplayed: index,
    series: series?.result(),
    leaked: live.inAddressOrder().map((b) => ({ id: b.id, ptr: b.ptr, size: b.size, op: b.op })),
  };
}

/**
 * An application access to a live block through the MMU in user mode, each
 * load and store translated and counted; a write stores the block's pattern
 * bytes again, so its expected contents do not change.
 */
function applicationAccess(heap: Heap, block: LiveBlock, offset: number, length: number, write: boolean, patterns: PatternBuffer): Record<string, unknown> {
  const end = Math.min(block.size, offset + length);
  if (end <= offset) return { address: block.ptr + offset, length: 0 };
  const bytes = patterns.pattern(end - offset, block.patternSeed, offset);
  const base = block.ptr + offset;
  const n = end - offset;
  let i = 0;
  if (write) {
    for (; i + 4 <= n; i += 4) heap.store32(base + i, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    for (; i < n; i++) heap.store8(base + i, bytes[i]);
  } else {
    for (; i + 4 <= n; i += 4) heap.load32(base + i);
    for (; i < n; i++) heap.load8(base + i);
  }
  return { address: base, length: n };
}
