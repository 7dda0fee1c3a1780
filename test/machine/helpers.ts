/** Shared helpers of the machine tests. */
import { createMachine, type CreateMachineOptions } from "../../core/container";
import type { MachineConfig } from "../../core/machine/config";
import type { SimulatedMachine } from "../../core/machine/machine";
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { FaultInfo } from "../../core/machine/types";

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** A machine plus one process and its heap. */
export function withProcess(config: MachineConfig = {}, options: CreateMachineOptions = {}, heapLimitBytes = 256 * MiB) {
  const m: SimulatedMachine = createMachine({ physicalMemory: "256MiB", ...config }, options);
  const pid = m.kernel.createProcess({ heapLimitBytes });
  const heap = m.kernel.heap(pid);
  return { m, k: m.kernel, pid, heap };
}

/** Runs `fn`, expecting a PAGE_FAULT; returns its FaultInfo. */
export function pageFault(fn: () => unknown): FaultInfo {
  try {
    fn();
  } catch (e) {
    if (e instanceof MemarenaError && e.code === ErrorCode.PAGE_FAULT) return e.data.fault as FaultInfo;
    throw e;
  }
  throw new Error("expected a PAGE_FAULT, none raised");
}

/** A counter of the machine by name. */
export function counter(m: SimulatedMachine, name: string): number {
  return m.snapshot().counters[name];
}
