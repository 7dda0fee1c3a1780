/**
 * Heap metrics, folded op by op. Definitions (also in docs/metrics.md):
 *
 * - utilization = peak live payload / peak heap extent, where the heap extent
 *   is (break - heapStart) + bytes of live mmapped regions (the malloc lab's
 *   U_k with mmap counted).
 * - Johnstone–Wilson fragmentation (live = requested payload bytes, heap =
 *   heap extent, both taken after every op):
 *   #1 mean over time of (heap - live) / live;
 *   #2 (heap at the moment of peak live - peak live) / peak live;
 *   #3 (peak heap - live at the moment of peak heap) / live at that moment;
 *   #4 (peak heap - peak live) / peak live.
 * - externalFragmentation = mean over samples of 1 - largest gap / total gaps,
 *   where the gaps are the bytes of the heap extent not covered by a live
 *   payload (so headers count as gap); sampled every `sampleEvery` ops.
 * - internalFragmentation = (usable - requested) / usable, summed over
 *   allocations, when the allocator reports `usableSize(ptr)`; otherwise absent.
 * - pageInternalFragmentation = 1 - peak live payload / (data frames x page
 *   size) at the moment of peak frames: what page rounding costs.
 */

/** Accumulates the heap metrics of one run. */
export class HeapMetrics {
  private peakLive = 0;
  private heapAtPeakLive = 0;
  private peakHeap = 0;
  private liveAtPeakHeap = 0;
  private fragSum = 0;
  private fragSamples = 0;
  private extSum = 0;
  private extSamples = 0;
  private usableSum = 0;
  private requestedSum = 0;
  private peakFrameBytes = 0;
  private liveAtPeakFrames = 0;

  /** Folds the state after one op. */
  observe(liveBytes: number, heapBytes: number): void {
    if (liveBytes > this.peakLive) {
      this.peakLive = liveBytes;
      this.heapAtPeakLive = heapBytes;
    }
    if (heapBytes > this.peakHeap) {
      this.peakHeap = heapBytes;
      this.liveAtPeakHeap = liveBytes;
    }
    if (liveBytes > 0) {
      this.fragSum += (heapBytes - liveBytes) / liveBytes;
      this.fragSamples++;
    }
  }

  /** Folds one external-fragmentation sample. */
  observeGaps(largest: number, total: number): void {
    if (total <= 0) return;
    this.extSum += 1 - largest / total;
    this.extSamples++;
  }

  /** Folds one allocation's usable size, when the allocator reports it. */
  observeUsable(requested: number, usable: number): void {
    this.requestedSum += requested;
    this.usableSum += Math.max(usable, requested);
  }

  /** Folds the data frames in use after an op. */
  observeFrames(dataFrameBytes: number, liveBytes: number): void {
    if (dataFrameBytes > this.peakFrameBytes) {
      this.peakFrameBytes = dataFrameBytes;
      this.liveAtPeakFrames = liveBytes;
    }
  }

  /** The metrics, by name. */
  result(): Record<string, number> {
    const out: Record<string, number> = {
      peakLiveBytes: this.peakLive,
      peakHeapBytes: this.peakHeap,
      utilization: this.peakHeap > 0 ? this.peakLive / this.peakHeap : 1,
      jwFragmentation1: this.fragSamples > 0 ? this.fragSum / this.fragSamples : 0,
      jwFragmentation2: this.peakLive > 0 ? (this.heapAtPeakLive - this.peakLive) / this.peakLive : 0,
      jwFragmentation3: this.liveAtPeakHeap > 0 ? (this.peakHeap - this.liveAtPeakHeap) / this.liveAtPeakHeap : 0,
      jwFragmentation4: this.peakLive > 0 ? (this.peakHeap - this.peakLive) / this.peakLive : 0,
      externalFragmentation: this.extSamples > 0 ? this.extSum / this.extSamples : 0,
    };
    if (this.usableSum > 0) out.internalFragmentation = (this.usableSum - this.requestedSum) / this.usableSum;
    if (this.peakFrameBytes > 0) out.pageInternalFragmentation = 1 - this.liveAtPeakFrames / this.peakFrameBytes;
    return out;
  }
}
