/**
 * Sanitizer challenges: the submission wraps an allocator named in `with`
 * and watches the application's accesses. Ops may carry `expect` (overflow,
 * underflow, use-after-free, double-free, invalid-free, leak); the replay
 * compares what the sanitizer reported with what was expected:
 *
 * - a true detection is a report of the expected kind at that op (for leaks:
 *   an `onExit` report naming the leaked block);
 * - a miss is an expectation without such a report;
 * - a false alarm is any other report.
 *
 * Application accesses go through `checkAccess` first when the sanitizer
 * defines it (charged `costs.check` cycles), then through the MMU in user
 * mode; a fault is handed to `onFault`. An access that was reported or that
 * faulted is not performed (as if the program had been stopped there), and
 * the run goes on so every expectation is graded. Sizes of the overhead
 * (virtual and physical) are measured against the live payload.
 */
import { ErrorCode, MemarenaError } from "../../core/errors";
import { C_CHECKS, C_CYCLES } from "../../core/machine/constants";
import type { FaultInfo, Machine } from "../../core/machine/types";
import { hex } from "../../core/machine/units";
import type { Allocator, AllocatorPlugin, Fault, Heap, InnerAllocator, Sanitizer, SanitizerPlugin, SanitizerReport } from "../../core/sdk/types";
import type { RunJob } from "../protocol";
import type { Failure, Verdict } from "../results";
import { RunStop, pluginFailure } from "./failure";
import { opText } from "./ops";
import { expandScopes } from "./scopes";
import { heapLimitOf, type JobPlugins } from "./common";

type AnyOp = { readonly op: string; readonly [k: string]: unknown };

/** What a sanitizer replay produced. */
export interface SanitizerReplayResult {
  readonly verdict: Verdict;
  readonly metrics: Record<string, number>;
  readonly failures: readonly Failure[];
  readonly opsReplayed: number;
}

const REPORT_KINDS = new Set(["overflow", "underflow", "use-after-free", "double-free", "invalid-free", "leak"]);

/** Replays a sanitizer challenge. */
export function replaySanitizer(input: {
  job: RunJob;
  plugins: JobPlugins;
  ops: readonly unknown[];
  machine: Machine;
  seed: number;
  onOp?: (index: number, outcome: Record<string, unknown>) => void;
}): SanitizerReplayResult {
  const progress = input.plugins.progress;
  const { job, machine } = input;
  const challenge = job.challenge;
  const kernel = machine.kernel;
  const alignment = challenge.checks?.alignment ?? 16;
  const pid = kernel.createProcess({ heapLimitBytes: heapLimitOf(challenge.limits?.heapBytes, 256 * 1024 * 1024), alignment });
  kernel.switchTo(pid);
  const heap = kernel.heap(pid);
  const sanitizerPlugin = input.plugins.main as SanitizerPlugin;
  const innerPlugin = input.plugins.with?.allocator as AllocatorPlugin | undefined;
  const innerName = job.with?.allocator?.name ?? "allocator";
  const { ops, origin } = expandScopes(input.ops as readonly AnyOp[], challenge.workload?.raii === true);

  let index = 0;
  const originOf = (i: number): number => (origin ? origin[i] : i);
  const site = (plugin: string, hook: string) => ({ plugin, hook, op: originOf(index), opText: opText(ops[index]) });
  const call = <T>(plugin: string, hook: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw pluginFailure(e, site(plugin, hook));
    }
  };

  const name = job.plugin.name;
  const ptrOf = new Map<number, { ptr: number; size: number; op: number; freed: boolean }>();
  const expectedLeaks = new Map<number, number>(); // ptr -> workload op index
  const reports: { op: number; report: SanitizerReport }[] = [];
  const expectations: { op: number; kind: string }[] = [];
  let peakLive = 0;
  let live = 0;
  let peakMapped = 0;
  let unexplainedFaults = 0;

  const record = (r: unknown, at: number): void => {
    if (!r || typeof r !== "object") return;
    const rep = r as SanitizerReport;
    if (!REPORT_KINDS.has(rep.kind as string) || typeof rep.address !== "number") {
      throw new RunStop("error", { op: at, check: "invalidReturn", message: `${name} returned a report that is not a SanitizerReport (kind must be one of ${[...REPORT_KINDS].join(", ")}, address a number) at op ${at}` });
    }
    reports.push({ op: at, report: { kind: rep.kind, address: rep.address, block: rep.block ? { address: rep.block.address, size: rep.block.size } : undefined } });
  };

  let verdict: Verdict = "pass";
  const failures: Failure[] = [];
  try {
    if (!innerPlugin) {
      throw new MemarenaError(ErrorCode.INVALID_CHALLENGE, `${challenge.id}: a sanitizer challenge must name the allocator it wraps in with.allocator`);
    }
    // The wrapped allocator shares the address space but keeps its own registers: neither can clobber the other's scalars.
    const innerHeap = kernel.separateHeap(pid);
    const innerAlloc: Allocator = call(innerName, "create", () => innerPlugin.create(innerHeap));
    call(innerName, "init", () => innerAlloc.init?.());
    // Sizes of the inner allocator's live blocks, as the sanitizer asked for them: what realloc must
    // keep when the inner allocator has no realloc of its own (malloc, copy, free).
    const innerSizes = new Map<number, number>();
    const inner: InnerAllocator = Object.freeze({
      malloc: (size: number) => {
        const p = innerAlloc.malloc(size);
        if (p !== 0) innerSizes.set(p, size);
        return p;
      },
      free: (ptr: number) => {
        innerSizes.delete(ptr);
        innerAlloc.free(ptr);
      },
      realloc: (ptr: number, size: number) => {
        let fresh: number;
        if (innerAlloc.realloc) {
          fresh = innerAlloc.realloc(ptr, size);
        } else {
          fresh = innerAlloc.malloc(size);
          if (fresh !== 0 && ptr !== 0) {
            heap.copy(fresh, ptr, Math.min(innerSizes.get(ptr) ?? 0, size));
            innerAlloc.free(ptr);
          }
        }
        if (fresh !== 0) {
          innerSizes.delete(ptr);
          innerSizes.set(fresh, size);
        }
        return fresh;
      },
    });
    const san: Sanitizer = call(name, "create", () => sanitizerPlugin.create(heap, inner));
    call(name, "init", () => san.init?.());
    const costs = machine.config.costs;

    for (index = 0; index < ops.length; index++) {
      const op = ops[index];
      const at = originOf(index);
      if (progress) progress(at);
      if (typeof op.expect === "string" && op.expect !== "leak" && REPORT_KINDS.has(op.expect)) expectations.push({ op: at, kind: op.expect });
      let event: Record<string, unknown> = {};
      switch (op.op) {
        case "alloc": {
          const size = op.size as number;
          const ptr = call(name, "malloc", () => san.malloc(size));
          if (typeof ptr !== "number" || !Number.isSafeInteger(ptr) || ptr < 0) {
            throw new RunStop("error", { op: at, check: "invalidReturn", message: `invalidReturn: ${name}.malloc(${size}) returned ${String(ptr)} at op ${at} (${opText(op)})` });
          }
          if (ptr !== 0) {
            ptrOf.set(op.id as number, { ptr, size, op: at, freed: false });
            live += size;
            if (op.expect === "leak") expectedLeaks.set(ptr, at);
          }
          event = { address: ptr || null };
          break;
        }
        case "free": {
          const b = ptrOf.get(op.id as number);
          const ptr = (b?.ptr ?? 0) + (typeof op.offset === "number" ? op.offset : 0);
          const r = call(name, "free", () => san.free(ptr));
          record(r, at);
          if (b && !b.freed && ptr === b.ptr) {
            b.freed = true;
            live -= b.size;
          }
          event = { address: ptr, report: r ?? null };
          break;
        }
        case "realloc": {
          const b = ptrOf.get(op.id as number);
          const size = op.size as number;
          const ptr = call(name, "realloc", () => {
            if (san.realloc) return san.realloc(b?.ptr ?? 0, size);
            // Without a realloc of its own, the sanitizer's pointers go through its own malloc and free.
            const fresh = san.malloc(size);
            if (fresh !== 0 && b && !b.freed) {
              heap.copy(fresh, b.ptr, Math.min(b.size, size));
              record(san.free(b.ptr), at);
            }
            return fresh;
          });
          if (ptr !== 0) {
            if (b && !b.freed) live -= b.size;
            ptrOf.set(op.id as number, { ptr, size, op: at, freed: false });
            live += size;
          }
          event = { address: ptr || null };
          break;
        }
        case "read":
        case "write": {
          const b = ptrOf.get(op.id as number);
          if (!b) {
            event = { skipped: "id never allocated" };
            break;
          }
          const access = op.op === "write" ? "write" : "read";
          const addr = b.ptr + (op.offset as number);
          const length = op.length as number;
          if (san.checkAccess) {
            machine.counters[C_CHECKS]++;
            machine.counters[C_CYCLES] += costs.check;
            const r = call(name, "checkAccess", () => san.checkAccess!(addr, length, access));
            if (r) {
              record(r, at);
              event = { address: addr, report: r };
              break;
            }
          }
          const fault = applicationAccess(heap, addr, length, access);
          if (fault) {
            const f: Fault = Object.freeze({ kind: fault.kind === "not-present" ? "not-present" : "protection", vaddr: fault.vaddr, access, length });
            const r = call(name, "onFault", () => san.onFault?.(f));
            if (r) record(r, at);
            else unexplainedFaults++;
            event = { address: addr, fault: f, report: r ?? null };
          } else {
            event = { address: addr, length };
          }
          break;
        }
        default:
          event = { skipped: `op "${op.op}" does not apply to a sanitizer` };
      }
      peakLive = Math.max(peakLive, live);
      // Virtual cost includes guard pages: they take address space, not frames.
      peakMapped = Math.max(peakMapped, kernel.virtualBytes(pid));
      input.onOp?.(at, event);
    }
    const exitReports = call(name, "onExit", () => san.onExit?.() ?? []);
    if (!Array.isArray(exitReports)) {
      throw new RunStop("error", { op: ops.length, check: "invalidReturn", message: `${name}.onExit() must return an array of reports` });
    }
    for (const r of exitReports) record(r, -1);
  } catch (e) {
    if (!(e instanceof RunStop)) throw e;
    verdict = e.verdict;
    failures.push(e.failure);
  }

  // Match reports with expectations.
  let truePositives = 0;
  const unmatched = [...reports];
  const misses: { op: number; kind: string }[] = [];
  for (const ex of expectations) {
    const k = unmatched.findIndex((r) => r.op === ex.op && r.report.kind === ex.kind);
    if (k >= 0) {
      truePositives++;
      unmatched.splice(k, 1);
    } else misses.push(ex);
  }
  for (const [ptr, at] of expectedLeaks) {
    const k = unmatched.findIndex((r) => r.report.kind === "leak" && (r.report.address === ptr || r.report.block?.address === ptr));
    if (k >= 0) {
      truePositives++;
      unmatched.splice(k, 1);
    } else misses.push({ op: at, kind: "leak" });
  }
  const falseAlarms = unmatched.length;
  if (verdict === "pass" && misses.length > 0) {
    const m = misses[0];
    verdict = "fail";
    failures.push({ op: m.op, check: "detection", message: `detection: the ${m.kind} at op ${m.op} (${opText((input.ops as AnyOp[])[m.op])}) was not reported${misses.length > 1 ? ` (and ${misses.length - 1} more misses)` : ""}`, data: { misses: misses.length } });
  }
  if (verdict === "pass" && falseAlarms > 0) {
    const f = unmatched[0];
    verdict = "fail";
    failures.push({ op: f.op >= 0 ? f.op : undefined, check: "falseAlarm", message: `falseAlarm: ${name} reported ${f.report.kind} at ${hex(f.report.address)}${f.op >= 0 ? ` at op ${f.op} (${opText((input.ops as AnyOp[])[f.op])})` : " at exit"}, where nothing of that kind was expected${falseAlarms > 1 ? ` (and ${falseAlarms - 1} more)` : ""}` });
  }
  const expectedCount = expectations.length + expectedLeaks.size;
  return {
    verdict,
    metrics: {
      truePositives,
      falseAlarms,
      misses: misses.length,
      detectionRate: expectedCount > 0 ? truePositives / expectedCount : 1,
      unexplainedFaults,
      virtualOverhead: peakLive > 0 ? peakMapped / peakLive : 0,
      peakLiveBytes: peakLive,
      peakMappedBytes: peakMapped,
    },
    failures,
    opsReplayed: index,
  };
}

/** One application access through the MMU; returns the fault, if any (and performs nothing after it). */
function applicationAccess(heap: Heap, addr: number, length: number, access: "read" | "write"): FaultInfo | undefined {
  try {
    for (let i = 0; i < length; i++) {
      if (access === "write") heap.store8(addr + i, 0x5a);
      else heap.load8(addr + i);
    }
    return undefined;
  } catch (e) {
    if (e instanceof MemarenaError && e.code === ErrorCode.PAGE_FAULT) return e.data.fault as FaultInfo;
    throw e;
  }
}
