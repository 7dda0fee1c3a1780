/**
 * Machine exercises (subject "none"): processes, translations, protection
 * traps and context switches replayed against the machine itself. An op may
 * carry `expect` ("ok", "fault", or a fault kind: "not-present",
 * "protection", "privilege", "bounds"); an outcome that differs fails the
 * `expectation` check with the op and both outcomes named.
 */
import type { AccessOutcome, Machine, PrivilegedAction } from "../../core/machine/types";
import { hex, tryParseSize } from "../../core/machine/units";
import type { Failure, Verdict } from "../results";
import { opText } from "./ops";
import { dmaTransfer } from "./dma-op";

/** What a machine-exercise replay produced. */
export interface MachineReplayResult {
  readonly verdict: Verdict;
  readonly metrics: Record<string, number>;
  readonly failures: readonly Failure[];
  readonly opsReplayed: number;
}

type AnyOp = { readonly op: string; readonly [k: string]: unknown };

/** Reads a numeric field that may be a size string ("4KiB") or hex ("0x1000"). */
export function num(v: unknown, dflt = 0): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === "number") return v;
  const n = tryParseSize(String(v));
  return n ?? Number.NaN;
}

/** The kind name of an outcome: "ok" or the fault kind. */
export function outcomeKind(o: AccessOutcome): string {
  return o.ok ? "ok" : o.fault.kind;
}

/** True when an outcome meets an expectation. */
export function meetsExpectation(o: AccessOutcome, expect: string): boolean {
  if (expect === "ok") return o.ok;
  if (expect === "fault" || expect === "trap") return !o.ok;
  return !o.ok && o.fault.kind === expect;
}

/** The outcome of an access as an event. */
export function outcomeEvent(o: AccessOutcome): Record<string, unknown> {
  return o.ok
    ? { paddr: o.paddr, via: o.via, pageSize: o.pageSize }
    : { fault: { kind: o.fault.kind, vaddr: o.fault.vaddr, access: o.fault.access, level: o.fault.level, mode: o.fault.mode } };
}

/** Replays machine ops, checking expectations. */
export function replayMachineOps(input: {
  ops: readonly unknown[];
  machine: Machine;
  onOp?: (index: number, outcome: Record<string, unknown>) => void;
}): MachineReplayResult {
  const { machine } = input;
  const kernel = machine.kernel;
  const failures: Failure[] = [];
  let expectations = 0;
  let met = 0;
  const ops = input.ops as readonly AnyOp[];
  let index = 0;
  for (; index < ops.length; index++) {
    const op = ops[index];
    let outcome: AccessOutcome | undefined;
    let event: Record<string, unknown> = {};
    const pid = num(op.pid, kernel.currentPid);
    switch (op.op) {
      case "spawn": {
        const created = kernel.createProcess({ pid, heapLimitBytes: num(op.size, 64 * 1024 * 1024) });
        event = { pid: created };
        break;
      }
      case "exit":
        kernel.destroyProcess(pid);
        break;
      case "switch":
        kernel.switchTo(pid);
        break;
      case "access": {
        const kind = op.kind === "write" ? "write" : "read";
        outcome = kernel.access(pid, num(op.addr), kind, op.mode === "supervisor" ? "supervisor" : "user");
        event = outcomeEvent(outcome);
        break;
      }
      case "map": {
        const flags = parseFlags(op.flags);
        outcome = kernel.map(pid, num(op.vaddr), flags, {
          frame: op.frame === undefined ? undefined : num(op.frame),
          pageSize: op.pageSize === undefined ? undefined : num(op.pageSize),
        });
        event = outcomeEvent(outcome);
        break;
      }
      case "privileged": {
        outcome = kernel.privileged(pid, String(op.action) as PrivilegedAction, op.mode === "supervisor" ? "supervisor" : "user");
        event = outcomeEvent(outcome);
        break;
      }
      case "dma": {
        // On a paging machine, a pid's dma names its buffer by virtual address: `offset` from address 0.
        const r = dmaTransfer(machine.dma, String(op.device), pid, num(op.offset), num(op.length), op.dir === "from-device" ? "from-device" : "to-device");
        event = r.event;
        outcome = r.ok
          ? { ok: true, paddr: Number((r.event.segments as { addr: number }[] | undefined)?.[0]?.addr ?? 0), via: r.event.bounced ? "bounce" : r.event.viaIommu ? "iommu" : "direct", pageSize: 0 }
          : { ok: false, fault: { kind: "address", vaddr: num(op.offset), access: op.dir === "from-device" ? "write" : "read", level: -1, mode: "supervisor" } };
        break;
      }
      default:
        event = { skipped: `op "${op.op}" is not a machine exercise` };
    }
    const expect = typeof op.expect === "string" ? op.expect : undefined;
    if (expect !== undefined && outcome !== undefined) {
      expectations++;
      if (meetsExpectation(outcome, expect)) met++;
      else if (failures.length === 0) {
        const got = outcome.ok ? `ok (physical ${hex(outcome.paddr)} via ${outcome.via})` : `a ${outcome.fault.kind} fault at ${hex(outcome.fault.vaddr)} (level ${outcome.fault.level})`;
        failures.push({ op: index, check: "expectation", message: `expectation: op ${index} (${opText(op)}) expected ${expect}, got ${got}`, data: { expected: expect, got: outcomeKind(outcome) } });
      }
    }
    input.onOp?.(index, event);
  }
  return {
    verdict: failures.length > 0 ? "fail" : "pass",
    metrics: { expectations, expectationsMet: met },
    failures,
    opsReplayed: index,
  };
}

/** Parses map flags given as "rw", "r", "user", "rw,user" or an object. */
export function parseFlags(flags: unknown): { writable: boolean; user: boolean } {
  if (flags && typeof flags === "object") {
    const f = flags as { writable?: boolean; user?: boolean };
    return { writable: !!f.writable, user: f.user ?? true };
  }
  const text = String(flags ?? "rw,user");
  return { writable: /w/.test(text), user: /user|u\b/.test(text) && !/supervisor/.test(text) };
}
