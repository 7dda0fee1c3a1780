/**
 * Placement challenges: contiguous (base/limit) allocation of whole
 * processes. The submission chooses a hole for each `spawn` and, on
 * `compact`, the moves that slide segments together. The replay checks every
 * answer (a real hole, big enough; moves inside memory onto free space) and
 * measures external fragmentation.
 *
 * DMA under compaction: `pin {pid}` hands the segment's current physical
 * address to a device (DMA in flight). If a compaction then moves that
 * segment, the device still holds the old address: the next `dma` into it is
 * recorded as corruption — the bytes are not applied — and the verdict names
 * the op that moved the pinned segment and whose memory the device hit.
 */
import type { Machine } from "../../core/machine/types";
import { hex } from "../../core/machine/units";
import type { Hole, Move, Placement, PlacementPlugin, Segment } from "../../core/sdk/types";
import type { RunJob } from "../protocol";
import type { Failure, Verdict } from "../results";
import { RunStop, pluginFailure } from "./failure";
import { meetsExpectation, num, outcomeEvent } from "./machine-replay";
import { opText } from "./ops";

type AnyOp = { readonly op: string; readonly [k: string]: unknown };

/** What a placement replay produced. */
export interface PlacementReplayResult {
  readonly verdict: Verdict;
  readonly metrics: Record<string, number>;
  readonly failures: readonly Failure[];
  readonly opsReplayed: number;
}

/** The free holes of physical memory around the given segments, by address. */
export function holesAround(segments: readonly Segment[], memoryBytes: number): Hole[] {
  const holes: Hole[] = [];
  let cursor = 0;
  for (const s of [...segments].sort((a, b) => a.base - b.base)) {
    if (s.base > cursor) holes.push({ base: cursor, size: s.base - cursor });
    cursor = Math.max(cursor, s.base + s.size);
  }
  if (memoryBytes > cursor) holes.push({ base: cursor, size: memoryBytes - cursor });
  return holes;
}

/** The segment (other than `pid`'s) sharing a byte with [base, base + size), if any. */
function overlapping(segments: readonly Segment[], base: number, size: number, pid: number): Segment | undefined {
  return segments.find((s) => s.pid !== pid && s.base < base + size && base < s.base + s.size);
}

/** Replays a placement workload. */
export function replayPlacement(input: {
  job: RunJob;
  plugin: unknown;
  ops: readonly unknown[];
  machine: Machine;
  onOp?: (index: number, outcome: Record<string, unknown>) => void;
  /** Called as each op starts (JobPlugins.progress). */
  progress?: (op: number) => void;
}): PlacementReplayResult {
  const { machine } = input;
  const kernel = machine.kernel;
  const memoryBytes = machine.config.physicalMemoryBytes;
  const name = input.job.plugin.name;
  const plugin = input.plugin as PlacementPlugin;
  const ops = input.ops as readonly AnyOp[];
  let index = 0;
  const call = <T>(hook: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw pluginFailure(e, { plugin: name, hook, op: index, opText: opText(ops[index]) });
    }
  };
  const fail = (check: string, message: string, data?: Record<string, unknown>): never => {
    throw new RunStop("fail", { op: index, check, message: `${check}: ${message} at op ${index} (${opText(ops[index])})`, data });
  };

  /** Physical address each pinned segment's device holds, and the op that pinned it. */
  const dmaTargets = new Map<number, { paddr: number; size: number; pinnedAt: number }>();
  /** Op index at which a pinned segment was moved. */
  const movedWhilePinned = new Map<number, number>();
  let spawns = 0;
  let placementFailures = 0;
  let fragFailures = 0;
  let extSum = 0;
  let extSamples = 0;
  let usedSum = 0;
  let samples = 0;
  let movesMade = 0;
  let expectations = 0;
  let expectationsMet = 0;
  let verdict: Verdict = "pass";
  const failures: Failure[] = [];
  const segmentsNow = (): Segment[] => kernel.segments();
  /** Whether `pid` runs with a segment (a refused spawn leaves none). */
  const placed = (pid: number): boolean => kernel.pids().includes(pid) && kernel.segment(pid) !== undefined;

  const sample = (): void => {
    const holes = holesAround(segmentsNow(), memoryBytes);
    const total = holes.reduce((s, h) => s + h.size, 0);
    const largest = holes.reduce((m, h) => Math.max(m, h.size), 0);
    if (total > 0) {
      extSum += 1 - largest / total;
      extSamples++;
    }
    usedSum += (memoryBytes - total) / memoryBytes;
    samples++;
  };

  try {
    const policy: Placement = call("create", () => plugin.create());
    for (index = 0; index < ops.length; index++) {
      input.progress?.(index);
      const op = ops[index];
      let event: Record<string, unknown> = {};
      switch (op.op) {
        case "spawn": {
          const pid = num(op.pid);
          const size = num(op.size);
          spawns++;
          const segments = segmentsNow();
          const holes = holesAround(segments, memoryBytes);
          let base: number;
          if (op.base !== undefined) {
            base = num(op.base);
            const clash = overlapping(segments, base, size, pid);
            if (clash || base + size > memoryBytes) {
              event = { failed: true, reason: clash ? `overlaps pid ${clash.pid}` : "beyond memory" };
              placementFailures++;
              break;
            }
          } else {
            const frozen = Object.freeze(holes.map((h) => Object.freeze({ ...h })));
            const choice = call("choose", () => policy.choose(frozen, size));
            if (choice === -1) {
              placementFailures++;
              const total = holes.reduce((s, h) => s + h.size, 0);
              if (total >= size) fragFailures++;
              event = { failed: true, totalFree: total, largestHole: holes.reduce((m, h) => Math.max(m, h.size), 0) };
              break;
            }
            if (!Number.isInteger(choice) || choice < 0 || choice >= holes.length) {
              fail("invalidReturn", `${name}.choose returned ${String(choice)}, expected -1 or a hole index from 0 to ${holes.length - 1}`);
            }
            if (holes[choice].size < size) {
              fail("bounds", `${name}.choose picked hole ${choice} [${hex(holes[choice].base)}, +${holes[choice].size}) for ${size} bytes: too small`);
            }
            base = holes[choice].base;
          }
          kernel.createProcess({ pid });
          kernel.createSegment(pid, base, size);
          event = { pid, base };
          break;
        }
        case "exit": {
          const pid = num(op.pid);
          dmaTargets.delete(pid);
          // A process whose spawn was refused never ran: its exit is nothing.
          if (!placed(pid)) {
            event = { skipped: "the process was never placed" };
            break;
          }
          kernel.destroyProcess(pid);
          break;
        }
        case "switch":
          kernel.switchTo(num(op.pid));
          break;
        case "access": {
          if (!placed(num(op.pid))) {
            event = { skipped: "the process was never placed" };
            break;
          }
          const outcome = kernel.access(num(op.pid), num(op.addr), op.kind === "write" ? "write" : "read");
          event = outcomeEvent(outcome);
          if (typeof op.expect === "string") {
            expectations++;
            if (meetsExpectation(outcome, op.expect)) expectationsMet++;
          }
          if (typeof op.expect === "string" && !meetsExpectation(outcome, op.expect)) {
            fail("expectation", `expected ${op.expect}, got ${outcome.ok ? `physical ${hex(outcome.paddr)}` : `a ${outcome.fault.kind} fault`}`);
          }
          break;
        }
        case "pin": {
          const pid = num(op.pid);
          const seg = placed(pid) ? kernel.segment(pid) : undefined;
          if (seg) {
            kernel.setPinned(pid, true);
            dmaTargets.set(pid, { paddr: seg.base, size: seg.size, pinnedAt: index });
            event = { pid, paddr: seg.base };
          }
          break;
        }
        case "unpin": {
          const pid = num(op.pid);
          if (placed(pid)) kernel.setPinned(pid, false);
          dmaTargets.delete(pid);
          movedWhilePinned.delete(pid);
          break;
        }
        case "compact": {
          if (!policy.compact) {
            event = { skipped: "the policy does not compact" };
            break;
          }
          const segments = Object.freeze(segmentsNow().map((s) => Object.freeze({ ...s })));
          const holes = Object.freeze(holesAround(segments, memoryBytes).map((h) => Object.freeze({ ...h })));
          const moves = call("compact", () => policy.compact!(segments, holes)) as Move[];
          if (!Array.isArray(moves)) fail("invalidReturn", `${name}.compact returned ${typeof moves}, expected an array of moves`);
          let bytes = 0;
          for (const m of moves) {
            const seg = kernel.segment(num(m.pid));
            if (!seg) fail("invalidReturn", `${name}.compact moved pid ${String(m.pid)}, which has no segment`);
            const to = num(m.to);
            if (!Number.isSafeInteger(to) || to < 0 || to + seg!.size > memoryBytes) {
              fail("bounds", `${name}.compact moved pid ${seg!.pid} to ${String(m.to)}: outside physical memory`);
            }
            const clash = overlapping(segmentsNow(), to, seg!.size, seg!.pid);
            if (clash) {
              fail("overlap", `${name}.compact moved pid ${seg!.pid} (${seg!.size} bytes) to [${hex(to)}, ${hex(to + seg!.size)}), over the live segment of pid ${clash.pid} [${hex(clash.base)}, ${hex(clash.base + clash.size)})`);
            }
            if (seg!.pinned) movedWhilePinned.set(seg!.pid, index);
            kernel.relocateSegment(seg!.pid, to);
            bytes += seg!.size;
            movesMade++;
          }
          event = { moves: moves.length, bytes };
          break;
        }
        case "dma": {
          const pid = num(op.pid);
          if (!placed(pid)) {
            event = { skipped: "the process was never placed" };
            break;
          }
          const seg = kernel.segment(pid);
          const offset = num(op.offset);
          const length = num(op.length);
          const target = dmaTargets.get(pid);
          // The device works on the physical address the driver handed it when the segment was pinned.
          const paddr = (target?.paddr ?? seg?.base ?? 0) + offset;
          const dir = op.dir === "to-device" ? "to-device" : "from-device";
          const before = machine.dma.events.length;
          const t = machine.dma.physicalTransfer(String(op.device), paddr, length, dir, pid, dir === "from-device" ? new Uint8Array(length).fill(0xa5) : undefined);
          const corruption = machine.dma.events.slice(before).find((e) => e.kind === "corruption");
          event = { paddr, length, bytes: t.bytes, ...(t.ok ? {} : { error: t.error }) };
          if (corruption) {
            const victim = overlapping(segmentsNow(), paddr, length, pid);
            const whose = victim ? `the segment of pid ${victim.pid}` : "free memory";
            const movedAt = movedWhilePinned.get(pid);
            fail(
              "dmaCorruption",
              `device ${String(op.device)} ${dir === "to-device" ? "read" : "wrote"} ${length} bytes at physical ${hex(paddr)}, the address it was given when pid ${pid} was pinned${target ? ` at op ${target.pinnedAt}` : ""}; that is now ${whose}${movedAt !== undefined ? ` because op ${movedAt} (compact) moved the pinned segment of pid ${pid} to ${hex(seg?.base ?? 0)}` : ""}. The device's bytes were not applied. A pinned segment must not move while DMA is in flight`,
              { paddr, length, victim: victim?.pid, movedAt },
            );
          }
          break;
        }
        default:
          event = { skipped: `op "${op.op}" does not apply to placement` };
      }
      if (op.op === "spawn" || op.op === "exit" || op.op === "compact") sample();
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
      spawns,
      placementFailures,
      fragmentationFailures: fragFailures,
      externalFragmentation: extSamples > 0 ? extSum / extSamples : 0,
      memoryUtilization: samples > 0 ? usedSum / samples : 0,
      placementSuccessRate: spawns > 0 ? (spawns - placementFailures) / spawns : 1,
      moves: movesMade,
      expectations,
      expectationsMet,
    },
    failures,
    opsReplayed: index,
  };
}
