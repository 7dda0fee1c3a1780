/**
 * Metrics read off the machine's counters at the end of a run. Definitions
 * (also in docs/metrics.md):
 *
 * - cycles: simulated cycles from the cost model; cyclesPerOp = cycles / ops.
 * - tlbMissRate = page walks / translated accesses; tlbHitRate = 1 - that.
 * - tlb.<name>.hitRate, tlb.<name>.missesPer1000 (misses per 1000 translated
 *   accesses), tlb.<name>.optimalMisses (Belady) when recorded.
 * - walkSteps: page-table entries read by walks.
 * - pageTableBytes: frames holding page tables x page size, at the end.
 * - peakFrameBytes: the most physical memory in use at once.
 * - virtualOverhead = virtual bytes mapped / peak live payload;
 *   physicalOverhead = peak frame bytes / peak live payload.
 */
import type { MachineSnapshot } from "../../core/machine/types";

/** The machine metrics of a run, by name. */
export function machineMetrics(snap: MachineSnapshot, ops: number, pageSize: number): Record<string, number> {
  const c = snap.counters;
  const accesses = c.accesses ?? 0;
  const walks = c.walks ?? 0;
  const out: Record<string, number> = {
    cycles: round(c.cycles ?? 0),
    cyclesPerOp: ops > 0 ? round((c.cycles ?? 0) / ops) : 0,
    accesses,
    walks,
    walkSteps: c.walkSteps ?? 0,
    tlbMissRate: accesses > 0 ? round(walks / accesses) : 0,
    tlbHitRate: accesses > 0 ? round(1 - walks / accesses) : 1,
    tlbMissesPer1000: accesses > 0 ? round((walks * 1000) / accesses) : 0,
    faults: c.faults ?? 0,
    minorFaults: c.minorFaults ?? 0,
    pageTableBytes: (c.pageTableFrames ?? 0) * pageSize,
    peakFrameBytes: (c.peakFrames ?? 0) * pageSize,
    bytesCopied: c.bytesCopied ?? 0,
  };
  for (const [name, v] of [
    ["bounceBytes", c.bounceBytes],
    ["dmaTransfers", c.dmaTransfers],
    ["dmaCorruptions", c.dmaCorruptions],
    ["iotlbHits", c.iotlbHits],
    ["iotlbMisses", c.iotlbMisses],
    ["ioFaults", c.ioFaults],
    ["compactionBytes", c.compactionBytes],
    ["privilegeTraps", c.privilegeTraps],
    ["boundsTraps", c.boundsTraps],
    ["contextSwitches", c.contextSwitches],
    ["tlbFlushes", c.tlbFlushes],
  ] as const) {
    if (v) out[name] = v;
  }
  let optimal = 0;
  let measured = 0;
  let recorded = false;
  for (const t of snap.tlbs) {
    const looked = t.hits + t.misses;
    out[`tlb.${t.name}.hits`] = t.hits;
    out[`tlb.${t.name}.misses`] = t.misses;
    out[`tlb.${t.name}.hitRate`] = looked > 0 ? round(t.hits / looked) : 1;
    out[`tlb.${t.name}.missesPer1000`] = accesses > 0 ? round((t.misses * 1000) / accesses) : 0;
    if (t.optimalMisses !== undefined) {
      out[`tlb.${t.name}.optimalMisses`] = t.optimalMisses;
      if (t.level === 1) {
        optimal += t.optimalMisses;
        measured += t.misses;
        recorded = true;
      }
    }
  }
  if (recorded) {
    out.optimalMisses = optimal;
    out.missesOverOptimal = optimal > 0 ? round(measured / optimal) : measured === 0 ? 1 : measured;
  }
  return out;
}

/** Rounds to 6 significant decimals so results JSON is stable and readable. */
export function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}
