/**
 * The types a plugin author sees (DESIGN.md §4). This file is the student's
 * reference: every member says what it does, in which address space, and what
 * it costs.
 */

/** Options for `heap.mmap`. */
export interface MmapOptions {
  /** Back the region with huge pages (2 MiB by default). The length is rounded up to the huge page size. */
  readonly hugePage?: boolean;
  /** Back the region with physically contiguous frames (what a simple DMA device needs). */
  readonly contiguous?: boolean;
}

/** Page protection for `heap.mprotect`. */
export type Protection = "none" | "r" | "rw";

/**
 * A process's view of its memory, in user mode. Every load and store goes
 * through the MMU and the TLBs and is counted in simulated cycles. A bad
 * access raises a fault that ends the run with a precise verdict.
 */
export interface Heap {
  /** First address of the heap (the initial break). */
  readonly heapStart: number;
  /** The current break: one past the last heap byte. */
  readonly heapEnd: number;
  /** Payload alignment the challenge checks (8 or 16). */
  readonly alignment: number;
  /** The base page size in bytes. */
  readonly pageSize: number;
  /** Huge page sizes in bytes the machine offers (may be empty). */
  readonly hugePageSizes: readonly number[];
  /**
   * The only state an allocator may keep outside simulated memory: 16 numbers
   * (the malloc-lab rule of "scalar globals only"). They survive a
   * re-creation of the allocator; JS-side state does not.
   */
  readonly registers: Float64Array;

  /** Grows the heap by `increment` bytes (>= 0); returns the old break, or -1 past the heap limit. */
  sbrk(increment: number): number;
  /** Maps `length` bytes of fresh zeroed memory; returns its address or -1. */
  mmap(length: number, options?: MmapOptions): number;
  /** Unmaps a range previously mapped (whole pages); returns 0 or -1. */
  munmap(addr: number, length: number): number;
  /** Changes the protection of whole pages; returns 0 or -1. `"none"` makes guard pages. */
  mprotect(addr: number, length: number, prot: Protection): number;

  load8(addr: number): number;
  load16(addr: number): number;
  load32(addr: number): number;
  /** Loads 8 bytes as a number; a value that is not a safe integer is an error. */
  load64(addr: number): number;
  store8(addr: number, value: number): void;
  store16(addr: number, value: number): void;
  store32(addr: number, value: number): void;
  /** Stores a safe integer (negative values as two's complement) in 8 bytes. */
  store64(addr: number, value: number): void;
  /** memmove: copies `n` bytes from `src` to `dst`; the ranges may overlap. */
  copy(dst: number, src: number, n: number): void;
  /** memset: sets `n` bytes at `addr` to `byte`. */
  fill(addr: number, byte: number, n: number): void;
}

/** A heap allocator instance: what `create(heap)` returns. */
export interface Allocator {
  /** Called once per fresh heap, like the malloc lab's mm_init. Throw to fail. */
  init?(): void;
  /**
   * Returns a payload address aligned to `heap.alignment` (or to `align` when a
   * workload asks for more, like aligned_alloc), or 0 for failure.
   */
  malloc(size: number, align?: number): number;
  /** Releases a block returned by malloc or realloc. */
  free(ptr: number): void;
  /** Optional; without it the grader does malloc + copy + free. */
  realloc?(ptr: number, size: number): number;
  /**
   * Optional: payload bytes the block at `ptr` really offers (>= the size
   * asked for). Lets the grader report internal fragmentation.
   */
  usableSize?(ptr: number): number;
}

/** Static facts about a plugin. */
export interface PluginMeta {
  /** A short name: shown in verdicts and on the leaderboard. */
  readonly name: string;
  /** One paragraph: the idea and the trade-off. */
  readonly description?: string;
}

/** An allocator plugin: the default export of a student's file. */
export interface AllocatorPlugin extends PluginMeta {
  readonly kind?: "allocator";
  /** Makes an allocator over `heap`; may be called again mid-run (heap-resident metadata check). */
  create(heap: Heap): Allocator;
}

/** A memory fault seen by a sanitizer. */
export interface Fault {
  readonly kind: "not-present" | "protection";
  /** The faulting virtual address. */
  readonly vaddr: number;
  readonly access: "read" | "write";
  /** Length of the access that faulted. */
  readonly length: number;
}

/** What a sanitizer reports. */
export interface SanitizerReport {
  readonly kind: "overflow" | "underflow" | "use-after-free" | "double-free" | "invalid-free" | "leak";
  /** The address involved (the bad access, or the block for a leak). */
  readonly address: number;
  /** The block involved, when known. */
  readonly block?: { readonly address: number; readonly size: number };
}

/** The allocator a sanitizer wraps. */
export interface InnerAllocator {
  malloc(size: number): number;
  free(ptr: number): void;
  realloc(ptr: number, size: number): number;
}

/** A sanitizer instance: an allocator that also reports bugs. */
export interface Sanitizer {
  init?(): void;
  malloc(size: number): number;
  /** Returns a report for a double or invalid free, else undefined. */
  free(ptr: number): SanitizerReport | undefined | void;
  realloc?(ptr: number, size: number): number;
  /** Called when an application access faults; returns a report or undefined. */
  onFault?(fault: Fault): SanitizerReport | undefined | void;
  /** Called at the end of the run; returns leaks. */
  onExit?(): SanitizerReport[];
  /** Called before each application access (compiler instrumentation); charged in the cost model. */
  checkAccess?(addr: number, length: number, access: "read" | "write"): SanitizerReport | undefined | void;
}

/** A sanitizer plugin. */
export interface SanitizerPlugin extends PluginMeta {
  readonly kind?: "sanitizer";
  create(heap: Heap, inner: InnerAllocator): Sanitizer;
}

/** A free hole of physical memory in contiguous (base/limit) allocation. */
export interface Hole {
  readonly base: number;
  readonly size: number;
}

/** A process's contiguous segment. */
export interface Segment {
  readonly pid: number;
  readonly base: number;
  readonly size: number;
  /** DMA in flight: its physical address was handed to a device; it must not move. */
  readonly pinned: boolean;
}

/** Move a process's segment to a new base. */
export interface Move {
  readonly pid: number;
  readonly to: number;
}

/** A placement policy instance. */
export interface Placement {
  /** Index into `holes` (sorted by address) of the hole to use, or -1. */
  choose(holes: readonly Hole[], size: number): number;
  /** Optional compaction: the moves to make, applied in order. */
  compact?(segments: readonly Segment[], holes: readonly Hole[]): Move[];
}

/** A placement plugin. */
export interface PlacementPlugin extends PluginMeta {
  readonly kind?: "placement";
  create(): Placement;
}

/** What a frame allocator manages. */
export interface Frames {
  /** Number of frames of physical memory. */
  readonly count: number;
  /** Bytes per frame. */
  readonly frameSize: number;
  /** The largest order the machine asks for (a huge page's order). */
  readonly maxOrder: number;
  /** Scalar state the allocator may keep in JS; bookkeeping belongs in typed arrays it makes itself. */
}

/** A physical frame allocator instance. */
export interface FrameAllocator {
  /** First frame number of 2^order free, naturally aligned contiguous frames, or -1. */
  alloc(order: number): number;
  /** Returns 2^order frames starting at `frame` (as returned by alloc with that order). */
  free(frame: number, order: number): void;
}

/** A frame allocator plugin. */
export interface FrameAllocatorPlugin extends PluginMeta {
  readonly kind?: "frame-allocator";
  create(frames: Frames): FrameAllocator;
}

/** Any plugin. */
export type Plugin = AllocatorPlugin | SanitizerPlugin | PlacementPlugin | FrameAllocatorPlugin;

/** The kinds of plugin. */
export type PluginKind = "allocator" | "sanitizer" | "placement" | "frame-allocator";
