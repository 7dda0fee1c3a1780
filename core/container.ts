/**
 * The tsyringe wiring: MachineConfig -> a child container -> Machine. Each
 * machine gets its own child container, so runs cannot share state.
 */
import "reflect-metadata";
import { registerDevices } from "./machine/devices";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { createRng } from "./random";
import type { FrameAllocator, Frames } from "./sdk/types";
import { type MachineConfig, type NormalizedMachine, normalizeMachine } from "./machine/config";
import { COUNTER_COUNT } from "./machine/constants";
import { Cpu } from "./machine/cpu";
import { BuddyAllocator, FrameTable, framesOf } from "./machine/frames";
import { MachineKernel } from "./machine/kernel";
import { SimulatedMachine } from "./machine/machine";
import { Mmu } from "./machine/mmu";
import { PageTables } from "./machine/page-table";
import { PhysicalMemory } from "./machine/physical-memory";
import { Tlb } from "./machine/tlb";
import {
  COUNTERS, CPU, FRAME_ALLOCATOR, FRAME_TABLE, KERNEL, MACHINE, MACHINE_CONFIG, MMU, PAGE_TABLES, PHYSICAL_MEMORY, RANDOM, TLBS,
} from "./machine/tokens";

/** Options of createMachine. */
export interface CreateMachineOptions {
  /** Seed of the machine's PRNG (random TLB replacement). Default 0. */
  readonly seed?: number | string;
  /** Replaces the built-in buddy allocator (a frame-allocator plugin's `create`). */
  readonly frameAllocator?: (frames: Frames) => FrameAllocator;
  /** Parent container (default: tsyringe's root). */
  readonly parent?: DependencyContainer;
}

/** Builds the child container of one machine (exposed for tests and for extensions such as DMA). */
export function createMachineContainer(config: MachineConfig | NormalizedMachine, options: CreateMachineOptions = {}): DependencyContainer {
  const normalized = isNormalized(config) ? config : normalizeMachine(config);
  const c = (options.parent ?? rootContainer).createChildContainer();
  const rng = createRng(options.seed ?? 0);
  const random = (): number => rng.next();
  const frames = framesOf(normalized);
  c.register(MACHINE_CONFIG, { useValue: normalized });
  c.register(COUNTERS, { useValue: new Float64Array(COUNTER_COUNT) });
  c.register(RANDOM, { useValue: random });
  c.register(PHYSICAL_MEMORY, { useValue: new PhysicalMemory(normalized.physicalMemoryBytes) });
  c.register(FRAME_ALLOCATOR, { useValue: options.frameAllocator ? options.frameAllocator(frames) : new BuddyAllocator(frames) });
  c.register(TLBS, { useValue: normalized.tlbs.map((t) => new Tlb(t, random)) });
  c.registerSingleton(FRAME_TABLE, FrameTable);
  c.registerSingleton(PAGE_TABLES, PageTables);
  c.registerSingleton(CPU, Cpu);
  c.registerSingleton(MMU, Mmu);
  c.registerSingleton(KERNEL, MachineKernel);
  registerDevices(c);
  c.registerSingleton(MACHINE, SimulatedMachine);
  return c;
}

/** Assembles a machine from a description (defaults: x86-64 desktop). */
export function createMachine(config: MachineConfig | NormalizedMachine = {}, options: CreateMachineOptions = {}): SimulatedMachine {
  return createMachineContainer(config, options).resolve<SimulatedMachine>(MACHINE);
}

function isNormalized(config: MachineConfig | NormalizedMachine): config is NormalizedMachine {
  return typeof (config as NormalizedMachine).physicalMemoryBytes === "number" && Array.isArray((config as NormalizedMachine).tlbs);
}
