/**
 * The assembled machine: the Machine facade over the parts one child
 * container built (see core/container.ts).
 */
import "reflect-metadata";
import { inject, injectable } from "tsyringe";
import type { FrameAllocator } from "../sdk/types";
import type { NormalizedMachine } from "./config";
import { COUNTER_NAMES } from "./constants";
import type { Cpu } from "./cpu";
import type { FrameTable } from "./frames";
import type { MachineKernel } from "./kernel";
import type { Mmu } from "./mmu";
import type { PageTables } from "./page-table";
import type { PhysicalMemory } from "./physical-memory";
import { COUNTERS, CPU, FRAME_ALLOCATOR, FRAME_TABLE, KERNEL, MACHINE_CONFIG, MMU, PAGE_TABLES, PHYSICAL_MEMORY } from "./tokens";
import type { Machine, MachineSnapshot, TlbStats } from "./types";
import { DMA } from "./device-tokens";
import type { DmaEngine } from "./dma";

/** The Machine implementation; its extra members are for the grader, DMA and tests. */
@injectable()
export class SimulatedMachine implements Machine {
  constructor(
    @inject(MACHINE_CONFIG) readonly config: NormalizedMachine,
    @inject(KERNEL) readonly kernel: MachineKernel,
    @inject(FRAME_ALLOCATOR) readonly frames: FrameAllocator,
    @inject(FRAME_TABLE) readonly frameTable: FrameTable,
    @inject(PHYSICAL_MEMORY) readonly memory: PhysicalMemory,
    @inject(PAGE_TABLES) readonly pageTables: PageTables,
    @inject(CPU) readonly cpu: Cpu,
    @inject(MMU) readonly mmu: Mmu,
    @inject(COUNTERS) readonly counters: Float64Array,
    @inject(DMA) readonly dma: DmaEngine,
  ) {}

  recordAccessStream(on: boolean): void {
    this.mmu.setRecording(on);
  }

  dispose(): void {
    this.memory.release();
  }

  snapshot(): MachineSnapshot {
    this.kernel.settleCounters();
    const counters: Record<string, number> = {};
    COUNTER_NAMES.forEach((name, i) => (counters[name] = this.counters[i]));
    const tlbs: TlbStats[] = this.mmu.tlbs.map((t, i) => {
      const c = t.config;
      const stats: TlbStats = { name: c.name, level: c.level, entries: c.entries, ways: c.ways, policy: c.policy, hits: t.hits, misses: t.misses };
      const optimal = this.mmu.optimalMisses(i);
      return optimal === undefined ? stats : { ...stats, optimalMisses: optimal };
    });
    return { counters, tlbs, framesInUse: this.frameTable.inUse, residentBytes: this.memory.residentBytes };
  }
}
