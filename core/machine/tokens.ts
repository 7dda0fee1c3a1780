/**
 * Injection tokens of a machine's child container. Constructors take the
 * narrow interface behind each token, never the container.
 */

/** The NormalizedMachine. */
export const MACHINE_CONFIG = Symbol("memarena.machine.config");
/** The machine-wide counters (Float64Array indexed by C_*). */
export const COUNTERS = Symbol("memarena.machine.counters");
/** A `() => number` in [0, 1), seeded per machine. */
export const RANDOM = Symbol("memarena.machine.random");
/** PhysicalMemory. */
export const PHYSICAL_MEMORY = Symbol("memarena.machine.physicalMemory");
/** The configured FrameAllocator (built-in buddy or a plugin). */
export const FRAME_ALLOCATOR = Symbol("memarena.machine.frameAllocator");
/** FrameTable. */
export const FRAME_TABLE = Symbol("memarena.machine.frameTable");
/** PageTables. */
export const PAGE_TABLES = Symbol("memarena.machine.pageTables");
/** Cpu. */
export const CPU = Symbol("memarena.machine.cpu");
/** The TLBs, in lookup order (readonly Tlb[]). */
export const TLBS = Symbol("memarena.machine.tlbs");
/** Mmu. */
export const MMU = Symbol("memarena.machine.mmu");
/** Kernel (MachineKernel). */
export const KERNEL = Symbol("memarena.machine.kernel");
/** Machine. */
export const MACHINE = Symbol("memarena.machine");
