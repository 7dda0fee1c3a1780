/**
 * A challenge file (DESIGN.md §5) as TypeScript types.
 *
 * Source of truth: challenges/challenge.schema.json. These types are written
 * by hand so that they read like documentation (json-schema-to-ts's
 * `FromSchema` over a schema this size gives unreadable hover types and slows
 * the checker). They cannot drift from the schema because of two tests in
 * test/challenge/types.test.ts:
 *   1. every object in the schema with `properties` is listed in
 *      `SCHEMA_KEYS` (graders/challenge/schema-keys.ts), whose entries are
 *      typed `KeysOf<T>` — the compiler forces each list to hold exactly the
 *      keys of the matching TypeScript type, and the test forces it to hold
 *      exactly the schema's property names;
 *   2. every enum in the schema equals the matching `readonly` tuple below
 *      (`SUBJECTS`, `METRIC_NAMES`, `OP_NAMES`, ...), and every valid fixture
 *      loads, so value shapes agree too.
 *
 * Sizes: fields typed `SizeLike` accept an integer or a string such as
 * "4KiB" / "0x1000" as written in the file; the workload resolver turns
 * them into numbers, so the ops a replay sees (`Op`) hold numbers only.
 */
import type { MachineConfig } from "../../core/machine/config";
import type { SizeLike } from "../../core/machine/units";

export type { SizeLike };

/** Kinds of plugin a challenge grades (`none`: the machine alone). */
export const SUBJECTS = ["allocator", "sanitizer", "placement", "frame-allocator", "none"] as const;
/** The kind of plugin a challenge grades. */
export type Subject = (typeof SUBJECTS)[number];

/** Difficulty tags. */
export const DIFFICULTIES = ["intro", "core", "advanced"] as const;
/** A difficulty tag. */
export type Difficulty = (typeof DIFFICULTIES)[number];

/** Metric names a challenge may request or score (definitions in docs/metrics.md); per-TLB figures `tlb.<name>.<figure>` are accepted too. */
export const METRIC_NAMES = [
  "utilization", "peakLiveBytes", "peakHeapBytes", "internalFragmentation", "pageInternalFragmentation", "externalFragmentation",
  "jwFragmentation1", "jwFragmentation2", "jwFragmentation3", "jwFragmentation4", "ops", "cycles",
  "cyclesPerOp", "accesses", "walks", "walkSteps", "tlbHitRate", "tlbMissRate",
  "tlbMissesPer1000", "optimalMisses", "missesOverOptimal", "faults", "minorFaults", "pageTableBytes",
  "peakFrameBytes", "bytesCopied", "virtualOverhead", "physicalOverhead", "bounceBytes", "dmaTransfers",
  "dmaCorruptions", "iotlbHits", "iotlbMisses", "ioFaults", "compactionBytes", "privilegeTraps",
  "boundsTraps", "contextSwitches", "tlbFlushes", "truePositives", "falseAlarms", "misses",
  "detectionRate", "unexplainedFaults", "peakMappedBytes", "spawns", "placementFailures", "fragmentationFailures",
  "placementSuccessRate", "memoryUtilization", "moves", "requests", "refused", "hugePageRequests",
  "hugePagesGranted", "hugePageRate", "expectations", "expectationsMet",
] as const;
/** A metric name. */
export type MetricName = (typeof METRIC_NAMES)[number] | `tlb.${string}.${"hits" | "misses" | "hitRate" | "missesPer1000" | "optimalMisses"}`;

/** What a sanitizer challenge expects an op to produce. */
export const EXPECT_KINDS = ["overflow", "underflow", "use-after-free", "double-free", "invalid-free", "leak", "ok", "fault", "not-present", "protection", "privilege", "bounds"] as const;
/** An expected sanitizer report kind. */
export type ExpectKind = (typeof EXPECT_KINDS)[number];

/** Trace op names, the discriminant of `Op`. */
export const OP_NAMES = [
  "alloc", "free", "realloc", "read", "write",
  "spawn", "exit", "switch", "access", "map", "privileged", "pin", "unpin", "compact",
  "dma", "scope",
] as const;
/** A trace op name. */
export type OpName = (typeof OP_NAMES)[number];

/** Power-of-two alignments accepted by `checks.alignment` and `alloc.align`. */
export const ALIGNMENTS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] as const;
/** An accepted alignment in bytes. */
export type Alignment = (typeof ALIGNMENTS)[number];

/** Fields every op may carry. */
interface OpBase {
  /** For sanitizer challenges: the report this op must produce. */
  readonly expect?: ExpectKind;
}

/** malloc(size); the block is called `id` until freed. */
export interface AllocOp extends OpBase {
  readonly op: "alloc";
  readonly id: number;
  /** Payload bytes, >= 1. */
  readonly size: number;
  /** Required alignment in bytes (default: checks.alignment). */
  readonly align?: Alignment;
  /** Belongs to the innermost open scope. */
  readonly scoped?: boolean;
}
/** free(block). */
export interface FreeOp extends OpBase {
  readonly op: "free";
  readonly id: number;
  /** Free payload + offset instead (an invalid free of an interior pointer); default 0. */
  readonly offset?: number;
}
/** realloc(block, size); the id stays. */
export interface ReallocOp extends OpBase {
  readonly op: "realloc";
  readonly id: number;
  readonly size: number;
}
/** The application reads `length` bytes at payload + `offset`. */
export interface ReadOp extends OpBase {
  readonly op: "read";
  readonly id: number;
  readonly offset: number;
  readonly length: number;
}
/** The application writes `length` bytes at payload + `offset`. */
export interface WriteOp extends OpBase {
  readonly op: "write";
  readonly id: number;
  readonly offset: number;
  readonly length: number;
}
/** Start a process of `size` bytes (base-limit: optionally at a fixed `base`). */
export interface SpawnOp<S = number> extends OpBase {
  readonly op: "spawn";
  readonly pid: number;
  readonly size: S;
  readonly base?: S;
}
/** End a process. */
export interface ExitOp extends OpBase {
  readonly op: "exit";
  readonly pid: number;
}
/** Context switch. */
export interface SwitchOp extends OpBase {
  readonly op: "switch";
  readonly pid: number;
}
/** Access kinds of an `access` op. */
export type AccessKind = "read" | "write" | "exec";
/** A process accesses one address. */
export interface AccessOp<S = number> extends OpBase {
  readonly op: "access";
  readonly pid: number;
  readonly addr: S;
  readonly kind: AccessKind;
  /** Default: user. */
  readonly mode?: "user" | "supervisor";
}
/** Supervisor maps one page; `flags` letters: r, w, u, g, or "-". */
export interface MapOp<S = number> extends OpBase {
  readonly op: "map";
  readonly pid: number;
  readonly vaddr: S;
  readonly frame?: number;
  readonly flags: string;
  readonly pageSize?: S;
}
/** Privileged actions a user process may attempt (and must trap on). */
export type PrivilegedAction = "set-root" | "write-pte" | "flush-tlb" | "set-base-limit";
/** A process attempts a privileged action. */
export interface PrivilegedOp extends OpBase {
  readonly op: "privileged";
  readonly pid: number;
  readonly action: PrivilegedAction;
}
/** Pin a process's memory (DMA in flight). */
export interface PinOp extends OpBase {
  readonly op: "pin";
  readonly pid: number;
}
/** Unpin a process's memory. */
export interface UnpinOp extends OpBase {
  readonly op: "unpin";
  readonly pid: number;
}
/** Compact memory through the placement plugin. */
export interface CompactOp extends OpBase {
  readonly op: "compact";
}
/** A device transfer on a heap block (`id`) or a process's memory (`pid`). */
export interface DmaOp<S = number> extends OpBase {
  readonly op: "dma";
  readonly device: string;
  readonly id?: number;
  readonly pid?: number;
  readonly offset: number;
  readonly length: S;
  readonly dir: "to-device" | "from-device";
}
/** Scope boundary for leak and RAII challenges. */
export interface ScopeOp extends OpBase {
  readonly op: "scope";
  readonly action: "enter" | "exit" | "throw";
}

/**
 * One trace op. `Op` (the default) has every size and address resolved to a
 * number: what parsers, generators and the replay use. `OpInput` is the shape
 * written in a challenge's `workload.ops`, where sizes may be strings.
 */
export type Op<S = number> =
  | AllocOp | FreeOp | ReallocOp | ReadOp | WriteOp
  | SpawnOp<S> | ExitOp | SwitchOp | AccessOp<S> | MapOp<S> | PrivilegedOp | PinOp | UnpinOp | CompactOp
  | DmaOp<S> | ScopeOp;
/** A trace op as written in a challenge file (sizes may be unit strings). */
export type OpInput = Op<SizeLike>;
/** The op of a given name. */
export type OpOf<N extends OpName, S = number> = Extract<Op<S>, { op: N }>;

/** Block sizes for generators, in bytes. */
export type SizeDistribution =
  | { readonly dist: "fixed"; readonly size: number }
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "log-uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "bimodal"; readonly small: number; readonly large: number; readonly largeFraction?: number };

/** Lifetimes for generators, in ops of the generator's clock. */
export type LifetimeDistribution =
  | { readonly dist: "fixed"; readonly ops: number }
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "exponential"; readonly mean: number }
  | { readonly dist: "bimodal"; readonly short: number; readonly long: number; readonly longFraction?: number }
  | { readonly dist: "forever" };

/** Read/write traffic sprinkled between heap ops. */
interface AccessTraffic {
  /** Probability of a read or write after each op (default 0). */
  readonly accessRate?: number;
  /** Share of writes (default 0.5). */
  readonly writeFraction?: number;
  /** Longest access in bytes (default 64). */
  readonly accessBytes?: number;
}

/** random: sizes from `sizes`, frees after lifetimes from `lifetime`. */
export interface RandomGen extends AccessTraffic {
  readonly kind: "random";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly lifetime?: LifetimeDistribution;
  readonly maxLive?: number;
  readonly freeAll?: boolean;
}
/** binary: alternating small/large, free the large, allocate small+large. */
export interface BinaryGen extends AccessTraffic {
  readonly kind: "binary";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly batch?: number;
  readonly freeAll?: boolean;
}
/** coalescing: allocate a batch, free alternate, free the rest, allocate double size. */
export interface CoalescingGen extends AccessTraffic {
  readonly kind: "coalescing";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly batch?: number;
  readonly freeAll?: boolean;
}
/** realloc: growing buffers with blockers in between. */
export interface ReallocGen extends AccessTraffic {
  readonly kind: "realloc";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly buffers?: number;
  readonly blockerRate?: number;
  readonly lifetime?: LifetimeDistribution;
  readonly freeAll?: boolean;
}
/** lifetimes: short-lived next to long-lived blocks. */
export interface LifetimesGen extends AccessTraffic {
  readonly kind: "lifetimes";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly lifetime?: LifetimeDistribution;
  readonly maxLive?: number;
  readonly freeAll?: boolean;
}
/** processes: spawn/exit churn for placement challenges. */
export interface ProcessesGen {
  readonly kind: "processes";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly lifetime?: LifetimeDistribution;
  readonly maxLive?: number;
  readonly accessRate?: number;
  readonly pinRate?: number;
  readonly compactEvery?: number;
  readonly freeAll?: boolean;
}
/** frames: processes map pages (some huge) and exit. */
export interface FramesGen {
  readonly kind: "frames";
  readonly ops?: number;
  readonly sizes?: SizeDistribution;
  readonly lifetime?: LifetimeDistribution;
  readonly maxLive?: number;
  readonly hugeRate?: number;
  readonly pageSize?: SizeLike;
  readonly hugePageSize?: SizeLike;
  readonly freeAll?: boolean;
}
/** phases: generators in sequence; live blocks carry over when a phase sets freeAll: false. */
export interface PhasesGen {
  readonly kind: "phases";
  readonly phases: readonly GeneratorSpec[];
  readonly freeAll?: boolean;
}
/** A seeded workload generator (`workload.generate`). */
export type GeneratorSpec =
  | RandomGen | BinaryGen | CoalescingGen | ReallocGen | LifetimesGen | ProcessesGen | FramesGen | PhasesGen;
/** Generator family names. */
export const GENERATOR_KINDS = ["random", "binary", "coalescing", "realloc", "lifetimes", "processes", "frames", "phases"] as const;
/** A generator family name. */
export type GeneratorKind = GeneratorSpec["kind"];

/** Fields every workload may carry. */
interface WorkloadBase {
  /** Free `scoped` blocks at scope exit / throw (default false). */
  readonly raii?: boolean;
  /** Generator seed (default: the challenge seed, else from the id). */
  readonly seed?: number | string;
}
/** Inline ops. */
export interface OpsWorkload extends WorkloadBase {
  readonly ops: readonly OpInput[];
  readonly trace?: never;
  readonly generate?: never;
}
/** A trace file, relative to the challenge file. */
export interface TraceWorkload extends WorkloadBase {
  readonly trace: string;
  readonly ops?: never;
  readonly generate?: never;
}
/** A seeded generator. */
export interface GenerateWorkload extends WorkloadBase {
  readonly generate: GeneratorSpec;
  readonly ops?: never;
  readonly trace?: never;
}
/** Exactly one of ops | trace | generate. */
export type Workload = OpsWorkload | TraceWorkload | GenerateWorkload;

/** A plugin reference: `builtin:<name>` or a path relative to the challenge file. */
export type PluginRef = string;
/** Other plugins a run needs, by role. */
export interface With {
  readonly allocator?: PluginRef;
  readonly sanitizer?: PluginRef;
  readonly placement?: PluginRef;
  readonly "frame-allocator"?: PluginRef;
}

/** Correctness checks (defaults in docs/challenge-format.md). */
export interface Checks {
  /** Payload alignment in bytes; 1 disables (default 16). */
  readonly alignment?: Alignment;
  readonly bounds?: boolean;
  readonly overlap?: boolean;
  readonly payloadIntegrity?: boolean;
  readonly reallocPreserves?: boolean;
  readonly heapResidentMetadata?: boolean;
  readonly nullReturn?: boolean;
  readonly invalidReturn?: boolean;
}

/** One scored metric: exactly one of `target` or `baseline`. */
export interface ScoringComponent {
  readonly metric: MetricName;
  /** Relative weight, > 0. */
  readonly weight: number;
  readonly goal: "min" | "max";
  /** Full marks at or beyond this value. */
  readonly target?: number;
  /** Full marks at or beyond what `builtin:<name>` reaches. */
  readonly baseline?: string;
}
/** How metrics become a score. */
export interface Scoring {
  /** Points for a perfect run (default 100). */
  readonly maxScore?: number;
  readonly components: readonly ScoringComponent[];
}

/** Resource limits of one run. */
export interface Limits {
  /** Wall time in ms (default 20000). */
  readonly timeMs?: number;
  /** Sandbox memory in MiB (default 512). */
  readonly memoryMb?: number;
  /** Largest heap (default 64MiB). */
  readonly heapBytes?: SizeLike;
}

/** A validated challenge file. */
export interface Challenge {
  readonly $schema?: string;
  /** `topic/name`, unique and stable. */
  readonly id: string;
  readonly title: string;
  /** Markdown for students. */
  readonly description?: string;
  readonly subject: Subject;
  /** Default: the first segment of `id`. */
  readonly topic?: string;
  /** Default: core. */
  readonly difficulty?: Difficulty;
  readonly machine?: MachineConfig;
  readonly workload: Workload;
  readonly with?: With;
  readonly checks?: Checks;
  readonly metrics?: readonly MetricName[];
  readonly scoring?: Scoring;
  readonly limits?: Limits;
  /** Default: public. */
  readonly visibility?: "public" | "hidden";
  /** Default: derived from `id`. */
  readonly seed?: number | string;
}

/** A challenge file loaded and validated. */
export interface LoadedChallenge {
  /** Absolute path of the challenge file. */
  readonly file: string;
  /** Its directory (trace and plugin paths are relative to it). */
  readonly dir: string;
  readonly challenge: Challenge;
  /** sha256 (hex) of the file's bytes and its trace's text. */
  readonly sha256: string;
  /** The trace's text, read (and parsed) once when the challenge loaded. */
  readonly traceText?: string;
  /** Absolute path of the trace file, when the workload names one (it exists). */
  readonly traceFile?: string;
}
