/**
 * The bridge that keeps graders/challenge/types.ts and
 * challenges/challenge.schema.json in step: for every object in the schema
 * that has `properties` (named by its JSON pointer inside the schema), the
 * property names of the matching TypeScript type. The compiler checks each
 * list against its type (a missing or extra key is a type error); the test
 * test/challenge/types.test.ts checks each list against the schema.
 */
import type { CostConfig, DeviceConfig, MachineConfig, TlbConfig } from "../../core/machine/config";
import type {
  Challenge, Checks, GeneratorSpec, LifetimeDistribution, Limits, OpInput, Scoring, ScoringComponent,
  SizeDistribution, With, Workload,
} from "./types";

/** Every key of every member of a union. */
type AllKeys<T> = T extends unknown ? keyof T : never;
/** An object holding exactly the keys of T (each `true`). */
type KeyTable<T> = { readonly [K in AllKeys<T>]-?: true };

/** The property names of T, checked by the compiler to be exactly T's keys. */
function keysOf<T>(table: KeyTable<T>): readonly string[] {
  return Object.keys(table).sort();
}

type Paging = NonNullable<MachineConfig["paging"]>;
type Iommu = NonNullable<MachineConfig["iommu"]>;
type Iotlb = NonNullable<Iommu["iotlb"]>;
type OpN<N extends OpInput["op"]> = Extract<OpInput, { op: N }>;
type SizeD<N extends SizeDistribution["dist"]> = Extract<SizeDistribution, { dist: N }>;
type LifeD<N extends LifetimeDistribution["dist"]> = Extract<LifetimeDistribution, { dist: N }>;
type Gen<N extends GeneratorSpec["kind"]> = Extract<GeneratorSpec, { kind: N }>;

const opBase = { op: true, expect: true } as const;
const traffic = { accessRate: true, writeFraction: true, accessBytes: true } as const;

/** Schema pointer -> property names of the matching TypeScript type. */
export const SCHEMA_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": keysOf<Challenge>({
    $schema: true, id: true, title: true, description: true, subject: true, topic: true, difficulty: true,
    machine: true, workload: true, with: true, checks: true, metrics: true, scoring: true, limits: true,
    visibility: true, seed: true,
  }),
  "/$defs/machine": keysOf<MachineConfig>({
    physicalMemory: true, mode: true, paging: true, tlb: true, asid: true, iommu: true, devices: true,
    bounceBuffer: true, costs: true,
  }),
  "/$defs/machine/properties/paging": keysOf<Paging>({
    virtualBits: true, pageSize: true, levels: true, levelBits: true, pteBytes: true, hugePages: true,
  }),
  "/$defs/machine/properties/iommu": keysOf<Iommu>({ enabled: true, iotlb: true }),
  "/$defs/machine/properties/iommu/properties/iotlb": keysOf<Iotlb>({ entries: true, ways: true, policy: true }),
  "/$defs/machine/properties/devices/items": keysOf<DeviceConfig>({ name: true, dma: true, maxSegments: true }),
  "/$defs/machine/properties/costs": keysOf<CostConfig>({
    tlbHit: true, walkStep: true, fault: true, copyByte: true, call: true, check: true,
  }),
  "/$defs/tlb": keysOf<TlbConfig>({ name: true, level: true, pageSizes: true, entries: true, ways: true, policy: true }),
  "/$defs/workload": keysOf<Workload>({ ops: true, trace: true, generate: true, raii: true, seed: true }),
  "/$defs/with": keysOf<With>({ allocator: true, sanitizer: true, placement: true, "frame-allocator": true }),
  "/$defs/checks": keysOf<Checks>({
    alignment: true, bounds: true, overlap: true, payloadIntegrity: true, reallocPreserves: true,
    heapResidentMetadata: true, nullReturn: true, invalidReturn: true,
  }),
  "/$defs/scoring": keysOf<Scoring>({ maxScore: true, components: true }),
  "/$defs/scoringComponent": keysOf<ScoringComponent>({ metric: true, weight: true, goal: true, target: true, baseline: true }),
  "/$defs/limits": keysOf<Limits>({ timeMs: true, memoryMb: true, heapBytes: true }),
  "/$defs/opAlloc": keysOf<OpN<"alloc">>({ ...opBase, id: true, size: true, align: true, scoped: true }),
  "/$defs/opFree": keysOf<OpN<"free">>({ ...opBase, id: true, offset: true }),
  "/$defs/opRealloc": keysOf<OpN<"realloc">>({ ...opBase, id: true, size: true }),
  "/$defs/opRead": keysOf<OpN<"read">>({ ...opBase, id: true, offset: true, length: true }),
  "/$defs/opWrite": keysOf<OpN<"write">>({ ...opBase, id: true, offset: true, length: true }),
  "/$defs/opSpawn": keysOf<OpN<"spawn">>({ ...opBase, pid: true, size: true, base: true }),
  "/$defs/opExit": keysOf<OpN<"exit">>({ ...opBase, pid: true }),
  "/$defs/opSwitch": keysOf<OpN<"switch">>({ ...opBase, pid: true }),
  "/$defs/opAccess": keysOf<OpN<"access">>({ ...opBase, pid: true, addr: true, kind: true, mode: true }),
  "/$defs/opMap": keysOf<OpN<"map">>({ ...opBase, pid: true, vaddr: true, frame: true, flags: true, pageSize: true }),
  "/$defs/opPrivileged": keysOf<OpN<"privileged">>({ ...opBase, pid: true, action: true }),
  "/$defs/opPin": keysOf<OpN<"pin">>({ ...opBase, pid: true }),
  "/$defs/opUnpin": keysOf<OpN<"unpin">>({ ...opBase, pid: true }),
  "/$defs/opCompact": keysOf<OpN<"compact">>({ ...opBase }),
  "/$defs/opDma": keysOf<OpN<"dma">>({ ...opBase, device: true, id: true, pid: true, offset: true, length: true, dir: true }),
  "/$defs/opScope": keysOf<OpN<"scope">>({ ...opBase, action: true }),
  "/$defs/sizeDistribution/oneOf/0": keysOf<SizeD<"fixed">>({ dist: true, size: true }),
  "/$defs/sizeDistribution/oneOf/1": keysOf<SizeD<"uniform">>({ dist: true, min: true, max: true }),
  "/$defs/sizeDistribution/oneOf/2": keysOf<SizeD<"log-uniform">>({ dist: true, min: true, max: true }),
  "/$defs/sizeDistribution/oneOf/3": keysOf<SizeD<"bimodal">>({ dist: true, small: true, large: true, largeFraction: true }),
  "/$defs/lifetimeDistribution/oneOf/0": keysOf<LifeD<"fixed">>({ dist: true, ops: true }),
  "/$defs/lifetimeDistribution/oneOf/1": keysOf<LifeD<"uniform">>({ dist: true, min: true, max: true }),
  "/$defs/lifetimeDistribution/oneOf/2": keysOf<LifeD<"exponential">>({ dist: true, mean: true }),
  "/$defs/lifetimeDistribution/oneOf/3": keysOf<LifeD<"bimodal">>({ dist: true, short: true, long: true, longFraction: true }),
  "/$defs/lifetimeDistribution/oneOf/4": keysOf<LifeD<"forever">>({ dist: true }),
  "/$defs/genRandom": keysOf<Gen<"random">>({ kind: true, ops: true, sizes: true, lifetime: true, maxLive: true, freeAll: true, ...traffic }),
  "/$defs/genBinary": keysOf<Gen<"binary">>({ kind: true, ops: true, sizes: true, batch: true, freeAll: true, ...traffic }),
  "/$defs/genCoalescing": keysOf<Gen<"coalescing">>({ kind: true, ops: true, sizes: true, batch: true, freeAll: true, ...traffic }),
  "/$defs/genRealloc": keysOf<Gen<"realloc">>({
    kind: true, ops: true, sizes: true, buffers: true, blockerRate: true, lifetime: true, freeAll: true, ...traffic,
  }),
  "/$defs/genLifetimes": keysOf<Gen<"lifetimes">>({ kind: true, ops: true, sizes: true, lifetime: true, maxLive: true, freeAll: true, ...traffic }),
  "/$defs/genProcesses": keysOf<Gen<"processes">>({
    kind: true, ops: true, sizes: true, lifetime: true, maxLive: true, accessRate: true, pinRate: true, compactEvery: true, freeAll: true,
  }),
  "/$defs/genFrames": keysOf<Gen<"frames">>({
    kind: true, ops: true, sizes: true, lifetime: true, maxLive: true, hugeRate: true, pageSize: true, hugePageSize: true, freeAll: true,
  }),
  "/$defs/genPhases": keysOf<Gen<"phases">>({ kind: true, phases: true, freeAll: true }),
};
