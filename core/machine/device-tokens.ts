/**
 * Injection tokens of the DMA side of a machine (devices, IOMMU, bounce
 * pool), kept apart from tokens.ts so the device code can grow on its own.
 */

/** Iommu. */
export const IOMMU = Symbol("memarena.machine.iommu");
/** BouncePool (the swiotlb-style pool of physically contiguous frames). */
export const BOUNCE_POOL = Symbol("memarena.machine.bouncePool");
/** DmaEngine (the OS-side DMA API and the devices behind it). */
export const DMA = Symbol("memarena.machine.dma");
