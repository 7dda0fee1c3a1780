/**
 * CPU registers that matter for memory: privilege mode, base/limit,
 * page-table root, ASID, and the fault registers translation fills instead of
 * creating objects (the x86 CR2 + error-code idea).
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import {
  ACCESS_EXEC, ACCESS_WRITE, C_PRIVILEGE_TRAPS, FAULT_KIND_NAMES, FAULT_PRIVILEGE, MODE_SUPERVISOR, MODE_USER,
  type AccessCode, type ModeCode,
} from "./constants";
import type { FaultInfo } from "./types";
import { COUNTERS } from "./tokens";

/** Register file of the single simulated CPU. */
@injectable()
export class Cpu {
  /** Current privilege mode. */
  mode: ModeCode = MODE_SUPERVISOR;
  /** Base register (base-limit mode): physical address of logical 0. */
  base = 0;
  /** Limit register (base-limit mode): logical addresses must be < limit. */
  limit = 0;
  /** Physical address of the current root page table, or -1. */
  root = -1;
  /** Current address-space id (0 when ASIDs are off). */
  asid = 0;
  /** Fault registers: faulting address, fault code (FAULT_*), access code, walk level (-1: not from a walk), mode. */
  faultAddr = 0;
  faultCode = 0;
  faultAccess: AccessCode = 0;
  faultLevel = -1;
  faultMode: ModeCode = MODE_USER;

  constructor(@inject(COUNTERS) private readonly counters: Float64Array) {}

  /** Loads the fault registers and returns -code (what translate returns). */
  fault(code: number, vaddr: number, access: AccessCode, level: number, mode: ModeCode): number {
    this.faultCode = code;
    this.faultAddr = vaddr;
    this.faultAccess = access;
    this.faultLevel = level;
    this.faultMode = mode;
    return -code;
  }

  /**
   * Gate of every privileged operation: true in supervisor mode; from user
   * mode it traps (C_PRIVILEGE_TRAPS, fault registers = FAULT_PRIVILEGE) and
   * returns false.
   */
  checkPrivilege(mode: ModeCode): boolean {
    if (mode === MODE_SUPERVISOR) return true;
    this.counters[C_PRIVILEGE_TRAPS]++;
    this.fault(FAULT_PRIVILEGE, 0, ACCESS_EXEC, -1, mode);
    return false;
  }

  /** Sets base and limit; returns 0, or -FAULT_PRIVILEGE from user mode. */
  setBaseLimit(base: number, limit: number, mode: ModeCode): number {
    if (!this.checkPrivilege(mode)) return -FAULT_PRIVILEGE;
    this.base = base;
    this.limit = limit;
    return 0;
  }

  /** The fault registers as an object (made off the hot path). */
  faultInfo(): FaultInfo {
    return {
      kind: FAULT_KIND_NAMES[this.faultCode] ?? "none",
      vaddr: this.faultAddr,
      access: this.faultAccess === ACCESS_WRITE ? "write" : this.faultAccess === ACCESS_EXEC ? "exec" : "read",
      level: this.faultLevel,
      mode: this.faultMode === MODE_SUPERVISOR ? "supervisor" : "user",
    };
  }
}
