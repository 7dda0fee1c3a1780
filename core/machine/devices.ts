/**
 * Registers the DMA side of a machine (bounce pool, IOMMU, DMA engine) in a
 * machine's child container. The bounce pool reserves its frames when it is
 * first resolved: resolve DMA right after the container is built so the pool
 * sits at machine start, before any process takes frames.
 */
import "reflect-metadata";
import type { DependencyContainer } from "tsyringe";
import { BouncePool } from "./bounce";
import { BOUNCE_POOL, DMA, IOMMU } from "./device-tokens";
import { DmaEngine } from "./dma";
import { Iommu } from "./iommu";

/** Adds BOUNCE_POOL, IOMMU and DMA singletons to a machine container (needs the core tokens registered). */
export function registerDevices(c: DependencyContainer): void {
  c.registerSingleton(BOUNCE_POOL, BouncePool);
  c.registerSingleton(IOMMU, Iommu);
  c.registerSingleton(DMA, DmaEngine);
}
