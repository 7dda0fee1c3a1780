/**
 * The machine description (DESIGN.md §3) as users write it (`MachineConfig`,
 * every field optional, sizes as numbers or strings) and as the machine uses
 * it (`NormalizedMachine`, every field resolved to numbers). Defaults model an
 * x86-64 desktop.
 */
import { ErrorCode, MemarenaError, type InputProblem, inputError } from "../errors";
import { type SizeLike, log2Exact, tryParseSize } from "./units";

/** Address translation mode. */
export type MachineMode = "bare" | "base-limit" | "paging";
/** TLB replacement policy. */
export type ReplacementPolicy = "lru" | "fifo" | "random" | "clock";

/** One TLB as written in a machine description. */
export interface TlbConfig {
  name?: string;
  /** 1 = first level (the L1 TLBs are looked up together), 2 = second level, ... Default: from a name "L<n>...", else 1. */
  level?: number;
  pageSizes?: SizeLike[];
  entries: number;
  ways?: number;
  policy?: ReplacementPolicy;
}

/** One DMA-capable device. */
export interface DeviceConfig {
  name: string;
  dma: "contiguous" | "scatter-gather";
  maxSegments?: number;
}

/** The machine description as written in a challenge (DESIGN.md §3). */
export interface MachineConfig {
  physicalMemory?: SizeLike;
  mode?: MachineMode;
  paging?: {
    virtualBits?: number;
    pageSize?: SizeLike;
    levels?: number;
    levelBits?: number[];
    pteBytes?: 4 | 8;
    hugePages?: SizeLike[];
  };
  tlb?: TlbConfig[];
  asid?: boolean;
  iommu?: { enabled?: boolean; iotlb?: { entries?: number; ways?: number; policy?: ReplacementPolicy } };
  devices?: DeviceConfig[];
  bounceBuffer?: SizeLike;
  costs?: Partial<CostConfig>;
}

/** Simulated cycle costs. */
export interface CostConfig {
  /** Cycles for a TLB hit, per TLB level (index 0 = level 1). */
  tlbHit: number[];
  /** Cycles per page-table entry read during a walk. */
  walkStep: number;
  /** Cycles per fault taken (a demand-zero fill or a fault delivered). */
  fault: number;
  /** Cycles per byte copied (memmove, bounce buffers, compaction). */
  copyByte: number;
  /** Cycles per call into plugin code (malloc, free, ...). */
  call: number;
  /** Cycles per sanitizer `checkAccess` call. */
  check: number;
}

/** A TLB with every field resolved. */
export interface NormalizedTlb {
  readonly name: string;
  readonly level: number;
  /** log2 of each page size it caches, smallest first. */
  readonly pageShifts: readonly number[];
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  readonly policy: ReplacementPolicy;
}

/** Paging geometry with every field resolved. */
export interface NormalizedPaging {
  readonly virtualBits: number;
  readonly pageShift: number;
  readonly pageSize: number;
  readonly levels: number;
  /** Index bits per level, root first (levelBits[0] is the root table). */
  readonly levelBits: readonly number[];
  /**
   * Shift of the virtual address bits each level indexes, root first;
   * levelShifts[levels-1] === pageShift. A leaf at level index i maps
   * 2^levelShifts[i] bytes.
   */
  readonly levelShifts: readonly number[];
  readonly pteBytes: 4 | 8;
  /** log2 of the huge page sizes allowed; each equals some levelShifts[i] with i < levels-1. */
  readonly hugePageShifts: readonly number[];
}

/** The machine description with every default applied and every size a number. */
export interface NormalizedMachine {
  readonly physicalMemoryBytes: number;
  readonly mode: MachineMode;
  readonly paging: NormalizedPaging;
  readonly tlbs: readonly NormalizedTlb[];
  readonly asid: boolean;
  readonly iommu: { readonly enabled: boolean; readonly iotlb: NormalizedTlb };
  readonly devices: readonly DeviceConfig[];
  readonly bounceBufferBytes: number;
  readonly costs: Readonly<CostConfig>;
}

/** The default x86-64 desktop TLBs. */
export const DEFAULT_TLBS: readonly TlbConfig[] = [
  { name: "L1-4K", level: 1, pageSizes: ["4KiB"], entries: 64, ways: 4, policy: "lru" },
  { name: "L1-2M", level: 1, pageSizes: ["2MiB"], entries: 32, ways: 4, policy: "lru" },
  { name: "L1-1G", level: 1, pageSizes: ["1GiB"], entries: 4, ways: 4, policy: "lru" },
  { name: "L2", level: 2, pageSizes: ["4KiB", "2MiB"], entries: 1536, ways: 12, policy: "lru" },
];

/** Default cycle costs. */
export const DEFAULT_COSTS: Readonly<CostConfig> = {
  tlbHit: [1, 7],
  walkStep: 30,
  fault: 2000,
  copyByte: 0.25,
  call: 10,
  check: 4,
};

/**
 * Resolves a machine description, applying defaults and checking geometry.
 * Throws INVALID_MACHINE listing every problem; `file` and `pointer` name the
 * description's place for the message (a challenge's `/machine`).
 */
export function normalizeMachine(config: MachineConfig = {}, file = "<machine>", pointer = ""): NormalizedMachine {
  const problems: InputProblem[] = [];
  const bad = (p: string, expected: string, found: unknown): void => {
    problems.push({ file, pointer: pointer + p, expected, found: JSON.stringify(found) });
  };
  const size = (p: string, v: SizeLike | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = tryParseSize(v);
    if (n === undefined) {
      bad(p, 'a size (integer bytes or "4KiB")', v);
      return dflt;
    }
    return n;
  };

  const mode = config.mode ?? "paging";
  const physicalMemoryBytes = size("/physicalMemory", config.physicalMemory, 4 * 1024 ** 3);

  const pg = config.paging ?? {};
  const pageSize = size("/paging/pageSize", pg.pageSize, 4096);
  const pageShift = log2Exact(pageSize);
  if (pageShift < 8 || pageShift > 30) bad("/paging/pageSize", "a power of two from 256B to 1GiB", pg.pageSize);
  const virtualBits = pg.virtualBits ?? 48;
  if (!Number.isInteger(virtualBits) || virtualBits < 12 || virtualBits > 52) bad("/paging/virtualBits", "an integer from 12 to 52", virtualBits);
  const pteBytes = pg.pteBytes ?? 8;
  if (pteBytes !== 4 && pteBytes !== 8) bad("/paging/pteBytes", "4 or 8", pteBytes);
  const pteShift = pteBytes === 4 ? 2 : 3;

  let levelBits: number[];
  if (pg.levelBits) {
    levelBits = [...pg.levelBits];
  } else {
    // Each table fills one page: pageShift - log2(pteBytes) bits per level; the root takes the rest.
    const total = virtualBits - pageShift;
    const fullTable = Math.max(1, pageShift - pteShift);
    const levels = pg.levels ?? Math.max(1, Math.ceil(total / fullTable));
    const perLevel = Math.min(fullTable, Math.max(1, Math.floor(total / levels)));
    levelBits = [];
    let remaining = virtualBits - pageShift;
    for (let i = 0; i < levels; i++) {
      const bits = i === 0 ? remaining - perLevel * (levels - 1) : perLevel;
      levelBits.push(bits);
    }
    remaining -= levelBits.reduce((a, b) => a + b, 0);
    if (remaining !== 0 || levelBits.some((b) => b < 1)) {
      bad("/paging/levels", `a level count that splits ${virtualBits - pageShift} index bits into tables of at most ${perLevel} bits`, pg.levels);
    }
  }
  if (pg.levels !== undefined && levelBits.length !== pg.levels) bad("/paging/levelBits", `${pg.levels} entries (one per level)`, pg.levelBits);
  if (levelBits.reduce((a, b) => a + b, 0) + pageShift !== virtualBits) {
    bad("/paging/levelBits", `bits summing to virtualBits - log2(pageSize) = ${virtualBits - pageShift}`, levelBits);
  }
  const levels = levelBits.length;
  const levelShifts: number[] = [];
  {
    let shift = pageShift;
    for (let i = levels - 1; i >= 0; i--) {
      levelShifts[i] = shift;
      shift += levelBits[i];
    }
  }

  const defaultHuge = pageShift === 12 && levels >= 3 && levelBits[levels - 1] === 9 ? ["2MiB", "1GiB"] : [];
  const hugePageShifts: number[] = [];
  (pg.hugePages ?? defaultHuge).forEach((hp, i) => {
    const n = size(`/paging/hugePages/${i}`, hp, 0);
    const s = log2Exact(n);
    const at = levelShifts.indexOf(s);
    if (at < 0 || at === levels - 1) {
      bad(`/paging/hugePages/${i}`, `a size mapped by one entry of an upper level (${levelShifts.slice(0, -1).map((x) => 2 ** x).join(", ") || "none"} bytes)`, hp);
    } else if (!hugePageShifts.includes(s)) {
      hugePageShifts.push(s);
    }
  });
  hugePageShifts.sort((a, b) => a - b);

  const allShifts = new Set([pageShift, ...hugePageShifts]);
  const tlbs: NormalizedTlb[] = [];
  const tlbInput = config.tlb ?? (pageShift === 12 ? DEFAULT_TLBS : [{ name: "L1", level: 1, entries: 64, ways: 4, policy: "lru" as const }]);
  tlbInput.forEach((t, i) => {
    const tlb = normalizeTlb(t, `/tlb/${i}`, [pageShift], bad);
    const kept = tlb.pageShifts.filter((s) => allShifts.has(s));
    // A TLB for a page size the machine does not map is simply never used (the default 1 GiB TLB on a machine without 1 GiB pages).
    tlbs.push({ ...tlb, pageShifts: kept });
  });

  const iommuCfg = config.iommu ?? {};
  const iotlb = normalizeTlb({ name: "IOTLB", level: 1, entries: 64, ways: 4, policy: "lru", ...iommuCfg.iotlb }, "/iommu/iotlb", [pageShift], bad);

  const devices = config.devices ?? [];
  devices.forEach((d, i) => {
    if (d.dma !== "contiguous" && d.dma !== "scatter-gather") bad(`/devices/${i}/dma`, '"contiguous" or "scatter-gather"', d.dma);
    if (d.maxSegments !== undefined && (!Number.isInteger(d.maxSegments) || d.maxSegments < 1)) bad(`/devices/${i}/maxSegments`, "an integer >= 1", d.maxSegments);
  });

  const costs: CostConfig = { ...DEFAULT_COSTS, ...config.costs };
  if (!Array.isArray(costs.tlbHit) || costs.tlbHit.length === 0) bad("/costs/tlbHit", "a list of cycle counts, one per TLB level", costs.tlbHit);

  if (problems.length > 0) throw inputError(ErrorCode.INVALID_MACHINE, problems);
  if (physicalMemoryBytes % pageSize !== 0) {
    throw new MemarenaError(ErrorCode.INVALID_MACHINE, `${file} ${pointer}/physicalMemory: expected a multiple of the page size ${pageSize}, found ${physicalMemoryBytes}`, {});
  }

  return {
    physicalMemoryBytes,
    mode,
    paging: { virtualBits, pageShift, pageSize, levels, levelBits, levelShifts, pteBytes: pteBytes as 4 | 8, hugePageShifts },
    tlbs,
    asid: config.asid ?? true,
    iommu: { enabled: iommuCfg.enabled ?? false, iotlb },
    devices,
    bounceBufferBytes: size("/bounceBuffer", config.bounceBuffer, 4 * 1024 ** 2),
    costs,
  };
}

function normalizeTlb(
  t: TlbConfig,
  p: string,
  defaultShifts: number[],
  bad: (p: string, expected: string, found: unknown) => void,
): NormalizedTlb {
  const name = t.name ?? p.slice(1);
  const level = t.level ?? (/^L(\d+)/.exec(name) ? Number(/^L(\d+)/.exec(name)![1]) : 1);
  const ways = t.ways ?? t.entries;
  const pageShifts: number[] = [];
  (t.pageSizes ?? []).forEach((s, i) => {
    const n = tryParseSize(s);
    const shift = n === undefined ? -1 : log2Exact(n);
    if (shift < 0) bad(`${p}/pageSizes/${i}`, "a power-of-two page size", s);
    else pageShifts.push(shift);
  });
  if (pageShifts.length === 0) pageShifts.push(...defaultShifts);
  if (!Number.isInteger(t.entries) || t.entries < 1) bad(`${p}/entries`, "an integer >= 1", t.entries);
  if (!Number.isInteger(ways) || ways < 1 || t.entries % ways !== 0) bad(`${p}/ways`, `an integer >= 1 dividing entries (${t.entries})`, t.ways);
  const policy = t.policy ?? "lru";
  if (!["lru", "fifo", "random", "clock"].includes(policy)) bad(`${p}/policy`, "lru | fifo | random | clock", policy);
  return { name, level, pageShifts: pageShifts.sort((a, b) => a - b), entries: t.entries, ways, sets: Math.max(1, Math.floor(t.entries / ways)), policy };
}
