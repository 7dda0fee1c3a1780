/**
 * The `Heap` a plugin sees: user-mode loads and stores through the MMU, and
 * the process's system calls. The load/store path allocates nothing; a fault
 * the kernel cannot resolve (demand-zero) leaves here as a MemarenaError
 * PAGE_FAULT carrying `data.fault: FaultInfo` — the only place faults become
 * exceptions.
 *
 * Each load/store spells out its prologue (switch, count, translate) rather
 * than calling a helper: V8 then inlines the MMU's fast path into it, and no
 * address (a double above 2^31) is boxed on the way. Each counts itself in
 * one integer field (loads64, stores8, ...); settleCounters folds those into
 * the machine's accesses, loads, stores and bytesAccessed counters — one
 * increment per access instead of three read-modify-writes of the counter
 * array. The kernel settles every heap before the counters are read.
 */
import { ErrorCode, MemarenaError } from "../errors";
import type { Heap, MmapOptions, Protection } from "../sdk/types";
import {
  ACCESS_READ, ACCESS_WRITE, C_ACCESSES, C_BYTES_ACCESSED, C_BYTES_COPIED, C_CYCLES, C_LOADS, C_STORES, MODE_USER,
  type AccessCode,
} from "./constants";
import type { Mmu } from "./mmu";
import type { PhysicalMemory } from "./physical-memory";

/** What the heap facade needs from the kernel (one process's system calls). */
export interface HeapHost {
  /** The current process. */
  readonly currentPid: number;
  switchTo(pid: number): void;
  /** Resolves a failed translation of `vaddr` (demand-zero fill and retry) to a physical address, or throws PAGE_FAULT. */
  resolveUserFault(pid: number, vaddr: number, access: AccessCode): number;
  sbrk(pid: number, increment: number): number;
  mmap(pid: number, length: number, options: MmapOptions): number;
  munmap(pid: number, addr: number, length: number): number;
  mprotect(pid: number, addr: number, length: number, prot: Protection): number;
  heapEnd(pid: number): number;
}

/** Static facts of a heap. */
export interface HeapFacts {
  readonly pid: number;
  readonly heapStart: number;
  readonly alignment: number;
  readonly pageSize: number;
  readonly hugePageSizes: readonly number[];
  readonly registers: Float64Array;
  readonly copyByteCost: number;
}

/** One process's user-mode heap facade. */
export class UserHeap implements Heap {
  /** First heap address. */
  readonly heapStart: number;
  /** Payload alignment. */
  readonly alignment: number;
  /** Base page size. */
  readonly pageSize: number;
  /** Huge page sizes offered. */
  readonly hugePageSizes: readonly number[];
  /** The 16 scalar registers, kept per process across allocator re-creation. */
  readonly registers: Float64Array;
  // Accesses not yet folded into the counters (see settleCounters), by kind and width.
  private loads8 = 0;
  private loads16 = 0;
  private loads32 = 0;
  private loads64 = 0;
  private stores8 = 0;
  private stores16 = 0;
  private stores32 = 0;
  private stores64 = 0;
  private readonly pid: number;
  private readonly copyByteCost: number;
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);

  constructor(
    facts: HeapFacts,
    private readonly host: HeapHost,
    private readonly mmu: Mmu,
    private readonly mem: PhysicalMemory,
    private readonly counters: Float64Array,
  ) {
    this.pid = facts.pid;
    this.heapStart = facts.heapStart;
    this.alignment = facts.alignment;
    this.pageSize = facts.pageSize;
    this.hugePageSizes = facts.hugePageSizes;
    this.registers = facts.registers;
    this.copyByteCost = facts.copyByteCost;
  }

  /** Folds the accesses counted since the last call into the machine's accesses, loads, stores and bytesAccessed. */
  settleCounters(): void {
    const loads = this.loads8 + this.loads16 + this.loads32 + this.loads64;
    const stores = this.stores8 + this.stores16 + this.stores32 + this.stores64;
    if (loads + stores === 0) return;
    const bytes =
      this.loads8 + this.stores8 + 2 * (this.loads16 + this.stores16) + 4 * (this.loads32 + this.stores32) + 8 * (this.loads64 + this.stores64);
    const c = this.counters;
    c[C_ACCESSES] += loads + stores;
    c[C_LOADS] += loads;
    c[C_STORES] += stores;
    c[C_BYTES_ACCESSED] += bytes;
    this.loads8 = this.loads16 = this.loads32 = this.loads64 = 0;
    this.stores8 = this.stores16 = this.stores32 = this.stores64 = 0;
  }

  /** Current break. */
  get heapEnd(): number {
    return this.host.heapEnd(this.pid);
  }

  sbrk(increment: number): number {
    return this.host.sbrk(this.pid, increment);
  }

  mmap(length: number, options: MmapOptions = {}): number {
    return this.host.mmap(this.pid, length, options);
  }

  munmap(addr: number, length: number): number {
    return this.host.munmap(this.pid, addr, length);
  }

  mprotect(addr: number, length: number, prot: Protection): number {
    return this.host.mprotect(this.pid, addr, length, prot);
  }

  load8(addr: number): number {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.loads8++;
    let p = this.mmu.translate(addr, ACCESS_READ, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_READ);
    return this.mem.load8(p);
  }

  load16(addr: number): number {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.loads16++;
    let p = this.mmu.translate(addr, ACCESS_READ, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_READ);
    if (addr + 2 > this.mmu.lastEnd) return this.crossLoad(addr, p, 2);
    return this.mem.load16(p);
  }

  load32(addr: number): number {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.loads32++;
    let p = this.mmu.translate(addr, ACCESS_READ, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_READ);
    if (addr + 4 > this.mmu.lastEnd) return this.crossLoad(addr, p, 4);
    return this.mem.load32(p);
  }

  load64(addr: number): number {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.loads64++;
    let p = this.mmu.translate(addr, ACCESS_READ, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_READ);
    if (addr + 8 > this.mmu.lastEnd) return this.crossLoad(addr, p, 8);
    const value = this.mem.load64OrNaN(p);
    if (value !== value) throw unsafeLoad(addr);
    return value;
  }

  store8(addr: number, value: number): void {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.stores8++;
    let p = this.mmu.translate(addr, ACCESS_WRITE, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_WRITE);
    this.mem.store8(p, value);
  }

  store16(addr: number, value: number): void {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.stores16++;
    let p = this.mmu.translate(addr, ACCESS_WRITE, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_WRITE);
    if (addr + 2 > this.mmu.lastEnd) this.crossStore(addr, p, 2, value);
    else this.mem.store16(p, value);
  }

  store32(addr: number, value: number): void {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.stores32++;
    let p = this.mmu.translate(addr, ACCESS_WRITE, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_WRITE);
    if (addr + 4 > this.mmu.lastEnd) this.crossStore(addr, p, 4, value);
    else this.mem.store32(p, value);
  }

  store64(addr: number, value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw new MemarenaError(ErrorCode.UNSAFE_INTEGER, `store64 at 0x${addr.toString(16)}: ${String(value)} is not a safe integer`, { vaddr: addr, value });
    }
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
    this.stores64++;
    let p = this.mmu.translate(addr, ACCESS_WRITE, MODE_USER);
    if (p < 0) p = this.host.resolveUserFault(this.pid, addr, ACCESS_WRITE);
    if (addr + 8 > this.mmu.lastEnd) this.crossStore(addr, p, 8, value);
    else this.mem.store64Checked(p, value);
  }

  copy(dst: number, src: number, n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw badLength("copy", n);
    if (n === 0 || dst === src) return;
    this.enter();
    const c = this.counters;
    c[C_BYTES_COPIED] += n;
    c[C_CYCLES] += n * this.copyByteCost;
    const mmu = this.mmu;
    if (dst < src || dst >= src + n) {
      let done = 0;
      while (done < n) {
        const ps = this.translate(src + done, ACCESS_READ);
        const sEnd = mmu.lastEnd;
        const pd = this.translate(dst + done, ACCESS_WRITE);
        const dEnd = mmu.lastEnd;
        const len = Math.min(n - done, sEnd - (src + done), dEnd - (dst + done));
        this.mem.copy(pd, ps, len);
        done += len;
      }
    } else {
      // Overlapping with dst above src: copy from the end, page piece by page piece.
      let remaining = n;
      while (remaining > 0) {
        const sLast = src + remaining - 1;
        const dLast = dst + remaining - 1;
        const ps = this.translate(sLast, ACCESS_READ);
        const sStart = mmu.lastStart;
        const pd = this.translate(dLast, ACCESS_WRITE);
        const dStart = mmu.lastStart;
        const len = Math.min(remaining, sLast - sStart + 1, dLast - dStart + 1);
        this.mem.copy(pd - len + 1, ps - len + 1, len);
        remaining -= len;
      }
    }
  }

  fill(addr: number, byte: number, n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw badLength("fill", n);
    this.enter();
    let done = 0;
    while (done < n) {
      const p = this.translate(addr + done, ACCESS_WRITE);
      const len = Math.min(n - done, this.mmu.lastEnd - (addr + done));
      this.mem.fill(p, byte, len);
      done += len;
    }
  }

  private enter(): void {
    if (this.host.currentPid !== this.pid) this.host.switchTo(this.pid);
  }

  private translate(addr: number, access: AccessCode): number {
    const p = this.mmu.translate(addr, access, MODE_USER);
    return p >= 0 ? p : this.host.resolveUserFault(this.pid, addr, access);
  }

  /** An access straddling a page end: both pages translated, then the bytes gathered. */
  private crossLoad(addr: number, p: number, n: number): number {
    const first = this.mmu.lastEnd - addr;
    const p2 = this.translate(addr + first, ACCESS_READ);
    const s = this.scratch;
    for (let i = 0; i < n; i++) s[i] = this.mem.load8(i < first ? p + i : p2 + (i - first));
    const v = this.scratchView;
    if (n === 2) return v.getUint16(0, true);
    if (n === 4) return v.getUint32(0, true);
    const value = v.getInt32(4, true) * 4294967296 + v.getUint32(0, true);
    if (!Number.isSafeInteger(value)) throw unsafeLoad(addr);
    return value;
  }

  private crossStore(addr: number, p: number, n: number, value: number): void {
    const first = this.mmu.lastEnd - addr;
    // Translate the second page before writing anything: a fault there leaves memory untouched.
    const p2 = this.translate(addr + first, ACCESS_WRITE);
    const v = this.scratchView;
    if (n === 2) v.setUint16(0, value, true);
    else if (n === 4) v.setUint32(0, value, true);
    else {
      v.setUint32(0, value >>> 0, true);
      v.setInt32(4, Math.floor(value / 4294967296) | 0, true);
    }
    const s = this.scratch;
    for (let i = 0; i < n; i++) this.mem.store8(i < first ? p + i : p2 + (i - first), s[i]);
  }
}

function badLength(op: string, n: number): MemarenaError {
  return new MemarenaError(ErrorCode.MACHINE_MISUSE, `heap.${op}: length ${String(n)} is not a non-negative safe integer`, { op, length: n });
}

function unsafeLoad(vaddr: number): MemarenaError {
  return new MemarenaError(ErrorCode.UNSAFE_INTEGER, `load64 at 0x${vaddr.toString(16)}: the 8 bytes are not a safe integer`, { vaddr });
}
