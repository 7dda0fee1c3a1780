/**
 * The machine as the rest of memarena sees it: the facade the grader drives.
 * Internals (TLB arrays, page-table layout, frame bookkeeping) stay behind it.
 */
import type { FrameAllocator, Heap, Segment } from "../sdk/types";
import type { NormalizedMachine } from "./config";
import type { FaultKindName } from "./constants";
import type { DmaEngine } from "./dma";

/** A fault as an object, made only when it leaves the hot path. */
export interface FaultInfo {
  readonly kind: FaultKindName;
  /** The faulting virtual (or logical) address. */
  readonly vaddr: number;
  readonly access: "read" | "write" | "exec";
  /** Page-table level where the walk stopped (0 = root), or -1 when not from a walk. */
  readonly level: number;
  readonly mode: "user" | "supervisor";
}

/** The outcome of one translated access, for `access` ops and the events file. */
export type AccessOutcome =
  | { readonly ok: true; readonly paddr: number; /** TLB name that hit, or "walk". */ readonly via: string; readonly pageSize: number }
  | { readonly ok: false; readonly fault: FaultInfo };

/** Per-TLB figures. */
export interface TlbStats {
  readonly name: string;
  readonly level: number;
  readonly entries: number;
  readonly ways: number;
  readonly policy: string;
  readonly hits: number;
  readonly misses: number;
  /** Misses of an offline Belady-optimal TLB of the same geometry on the same stream (when recording). */
  readonly optimalMisses?: number;
}

/** One reading of all counters. */
export interface MachineSnapshot {
  /** Every machine-wide counter by name (see COUNTER_NAMES). */
  readonly counters: Readonly<Record<string, number>>;
  readonly tlbs: readonly TlbStats[];
  /** Frames in use now: data frames + page-table frames. */
  readonly framesInUse: number;
  /** Bytes of physical memory materialized by the sparse store (host cost). */
  readonly residentBytes: number;
}

/** Options for a new process. */
export interface ProcessOptions {
  /** A fixed pid; default: the next free one. */
  readonly pid?: number;
  /** Most bytes sbrk may grow the heap by (the challenge's limits.heapBytes). */
  readonly heapLimitBytes?: number;
  /** Payload alignment reported to plugins (heap.alignment). */
  readonly alignment?: number;
  /** Where the heap starts (virtual); default a fixed, page-aligned address. */
  readonly heapStart?: number;
}

/** Supervisor-only actions a `privileged` op may attempt. */
/** The privileged actions a challenge's `privileged` op names (challenge.schema.json, opPrivileged). */
export type PrivilegedAction = "set-root" | "write-pte" | "flush-tlb" | "set-base-limit";

/** Flags for a supervisor `map` op. */
export interface MapFlags {
  readonly writable?: boolean;
  readonly user?: boolean;
}

/** The operating-system side of the machine: processes, address spaces, the heap facade. */
export interface Kernel {
  /** Creates a process with an empty address space (paging) and returns its pid. */
  createProcess(options?: ProcessOptions): number;
  /** Frees every frame and page-table frame of the process. */
  destroyProcess(pid: number): void;
  /** Makes `pid` current: loads its page-table root and ASID (or flushes the TLBs without ASIDs). */
  switchTo(pid: number): void;
  /** The current process. */
  readonly currentPid: number;
  /** The user-mode heap facade of a process (faults throw a MemarenaError PAGE_FAULT carrying a FaultInfo in data.fault). */
  heap(pid: number): Heap;
  /** Another heap facade of the process with 16 registers of its own (a sanitizer and the allocator it wraps keep their scalars apart). */
  separateHeap(pid: number): Heap;
  /** One access as the application makes it, never throwing: the physical address or the fault. */
  access(pid: number, vaddr: number, access: "read" | "write", mode?: "user" | "supervisor"): AccessOutcome;
  /** Supervisor mapping of one page (optionally of a huge size, optionally onto a given frame). */
  map(pid: number, vaddr: number, flags: MapFlags, options?: { frame?: number; pageSize?: number }): AccessOutcome;
  /** Attempts a privileged action in the given mode; from user mode it traps (the outcome's fault kind is "privilege"). */
  privileged(pid: number, action: PrivilegedAction, mode: "user" | "supervisor"): AccessOutcome;
  /** Reads bytes without touching TLBs or counters (the grader's own view); null when unmapped. */
  peek(pid: number, vaddr: number, length: number): Uint8Array | null;
  /** Writes bytes without touching TLBs or counters, demand-filling valid pages; false when not in a valid region. */
  poke(pid: number, vaddr: number, bytes: Uint8Array): boolean;
  /** Bytes of virtual memory a process holds: heap extent (break - heapStart) plus live mmapped regions, guard pages excluded. Cheap (no allocation). */
  mappedBytes(pid: number): number;
  /** Like mappedBytes, with guard (no-access) regions counted too: the address space a process holds. Cheap (no allocation). */
  virtualBytes(pid: number): number;
  /** The mapped virtual regions of a process, sorted, for checks and pictures. */
  regions(pid: number): readonly Region[];

  // Contiguous allocation (base-limit mode). Added for placement/compaction challenges.
  /** Gives `pid` the physical segment [base, base + size), zeroed; loads base/limit when it is current. Throws MACHINE_MISUSE outside physical memory. */
  createSegment(pid: number, base: number, size: number): void;
  /** Moves the segment's bytes to `newBase` (memmove), counting C_COMPACTION_BYTES and copy cycles, and updates the base register. */
  relocateSegment(pid: number, newBase: number): void;
  /** The segment of `pid`, or undefined when it has none. */
  segment(pid: number): Segment | undefined;
  /** Every segment, sorted by base. */
  segments(): Segment[];
  /** The pids of every live process. */
  pids(): number[];
  /** Marks a segment pinned (DMA in flight); relocating it anyway is allowed and shows up as DMA corruption. */
  setPinned(pid: number, pinned: boolean): void;
  /** Folds what the heaps and the MMU count on the side into the counter array (before reading it directly). */
  settleCounters(): void;
}

/** A virtual region of a process. */
export interface Region {
  readonly start: number;
  readonly end: number;
  readonly kind: "heap" | "mmap" | "guard";
  readonly protection: "none" | "r" | "rw";
  /** Page size backing the region. */
  readonly pageSize: number;
  /** Physically contiguous (mmap with contiguous: true). */
  readonly contiguous: boolean;
}

/** The assembled machine. */
export interface Machine {
  readonly config: NormalizedMachine;
  readonly kernel: Kernel;
  /** The DMA engine: devices, the bounce pool, the IOMMU. */
  readonly dma: DmaEngine;
  /** The frame allocator in use (the built-in buddy unless a plugin replaces it). */
  readonly frames: FrameAllocator;
  /**
   * The machine-wide counters (indices C_* in constants.ts), live: read without copying on hot paths.
   * Accesses, loads, stores, bytesAccessed and TLB hits are current only after kernel.settleCounters().
   */
  readonly counters: Float64Array;
  /** Starts recording the translation stream for Belady-optimal counts. */
  recordAccessStream(on: boolean): void;
  /** Every counter now. */
  snapshot(): MachineSnapshot;
  /** Gives the machine's host memory back for the next machine of this process to reuse; the machine is done. */
  dispose(): void;
}
