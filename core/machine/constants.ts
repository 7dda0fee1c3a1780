/**
 * Bit layouts and codes shared by the machine's hot paths. Everything here is
 * a small integer so that translation can pass it around without allocating.
 */

/**
 * Page-table entry bits (the low 32 bits of an 8-byte PTE, or all of a 4-byte
 * one). The frame's physical address occupies the bits above the page offset
 * (bit 12 and up with 4 KiB pages; bits 32+ of an 8-byte PTE hold the high
 * part of the address).
 *
 * | bit | name     | meaning                                          |
 * |-----|----------|--------------------------------------------------|
 * | 0   | PRESENT  | the entry maps something                         |
 * | 1   | WRITABLE | writes allowed                                   |
 * | 2   | USER     | user mode may access (else supervisor only)      |
 * | 5   | ACCESSED | set by the walker on any use                     |
 * | 6   | DIRTY    | set by the walker on a write through a leaf      |
 * | 7   | HUGE     | leaf above the last level (2 MiB / 1 GiB page)   |
 * | 9   | GUARD    | software bit: a deliberate no-access guard page  |
 */
export const PTE_PRESENT = 1 << 0;
export const PTE_WRITABLE = 1 << 1;
export const PTE_USER = 1 << 2;
export const PTE_ACCESSED = 1 << 5;
export const PTE_DIRTY = 1 << 6;
export const PTE_HUGE = 1 << 7;
export const PTE_GUARD = 1 << 9;

/** Access kinds, as small integers on the hot path. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
/** An access kind code. */
export type AccessCode = typeof ACCESS_READ | typeof ACCESS_WRITE | typeof ACCESS_EXEC;

/** Privilege modes. */
export const MODE_USER = 0;
export const MODE_SUPERVISOR = 1;
/** A privilege mode code. */
export type ModeCode = typeof MODE_USER | typeof MODE_SUPERVISOR;

/**
 * Fault codes. Translation returns a physical address (>= 0) or the negated
 * fault code; details (address, access, level) go to the CPU's fault
 * registers, so no object is created on the hot path.
 */
export const FAULT_NOT_PRESENT = 1;
export const FAULT_PROTECTION = 2;
export const FAULT_PRIVILEGE = 3;
export const FAULT_BOUNDS = 4;
/** A canonical-address or beyond-physical-memory violation. */
export const FAULT_ADDRESS = 5;

/** Names of fault kinds, indexed by fault code. */
export const FAULT_KIND_NAMES = ["none", "not-present", "protection", "privilege", "bounds", "address"] as const;
/** A fault kind's name. */
export type FaultKindName = (typeof FAULT_KIND_NAMES)[number];

/**
 * Machine-wide counters, indices into one Float64Array (read as a snapshot).
 * Per-TLB counters live with each TLB.
 */
export const C_CYCLES = 0;
export const C_ACCESSES = 1;
export const C_LOADS = 2;
export const C_STORES = 3;
export const C_BYTES_ACCESSED = 4;
export const C_WALKS = 5;
export const C_WALK_STEPS = 6;
export const C_FAULTS = 7;
/** Demand-zero fills: a first touch of a valid page that the OS backs with a frame. */
export const C_MINOR_FAULTS = 8;
export const C_BYTES_COPIED = 9;
export const C_TLB_FLUSHES = 10;
export const C_CONTEXT_SWITCHES = 11;
export const C_PRIVILEGE_TRAPS = 12;
export const C_BOUNDS_TRAPS = 13;
export const C_PAGE_TABLE_FRAMES = 14;
export const C_DATA_FRAMES = 15;
export const C_PEAK_FRAMES = 16;
export const C_CALLS = 17;
export const C_CHECKS = 18;
export const C_BOUNCE_BYTES = 19;
export const C_DMA_TRANSFERS = 20;
export const C_DMA_CORRUPTIONS = 21;
export const C_IOTLB_HITS = 22;
export const C_IOTLB_MISSES = 23;
export const C_IO_FAULTS = 24;
export const C_COMPACTION_BYTES = 25;
export const C_TLB_HIT_LEVEL1 = 26;
export const C_TLB_HIT_LEVEL2 = 27;
export const C_TLB_HIT_LEVEL3 = 28;
export const C_TLB_MISSES = 29;
export const C_INVLPG = 30;
/** sbrk calls refused at the heap limit (a malloc returning 0 is fair only after one). */
export const C_SBRK_FAILURES = 31;
/** mmap calls refused (no frames, no contiguous run, no virtual space). */
export const C_MMAP_FAILURES = 32;
export const COUNTER_COUNT = 33;

/** Counter names, indexed by counter constant (used for snapshots). */
export const COUNTER_NAMES: readonly string[] = [
  "cycles", "accesses", "loads", "stores", "bytesAccessed", "walks", "walkSteps", "faults",
  "minorFaults", "bytesCopied", "tlbFlushes", "contextSwitches", "privilegeTraps", "boundsTraps",
  "pageTableFrames", "dataFrames", "peakFrames", "calls", "checks", "bounceBytes", "dmaTransfers",
  "dmaCorruptions", "iotlbHits", "iotlbMisses", "ioFaults", "compactionBytes", "tlbHitsLevel1",
  "tlbHitsLevel2", "tlbHitsLevel3", "tlbMisses", "invlpg", "sbrkFailures", "mmapFailures",
];
