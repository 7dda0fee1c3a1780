/**
 * A realistic results document with series, built by replaying a seeded
 * workload against a tiny first-fit allocator model the way SeriesRecorder
 * samples a real run: evenly spaced samples, up to 48 heap snapshots, large
 * requests mmapped far from the heap with a guard page after them.
 */
import type { ChallengeResult, ResultsDocument } from "../../graders/results";
import { createRng } from "../../core/random";

const HEAP_START = 0x1000_0000;
const MMAP_BASE = 0x7f00_0000;
const PAGE = 4096;
const HEADER = 16;

interface Block {
  ptr: number;
  size: number;
  mmap?: { start: number; end: number; guardEnd: number };
}

/** Series of a seeded run of `ops` ops, in the shape of ChallengeResult.series. */
export function simulatedSeries(ops: number, seed: number): Record<string, number[]> {
  const rand = createRng(seed).next;
  const every = Math.max(1, Math.ceil(ops / 400));
  const snapshotEvery = Math.max(1, Math.ceil(ops / 48));
  const out: Record<string, number[]> = {
    op: [], liveBytes: [], heapBytes: [], walks: [], accesses: [],
    "heap.op": [], "heap.start": [], "heap.end": [], "heap.blocks": [],
  };
  const live: Block[] = []; // heap blocks, sorted by ptr
  const mmapped: Block[] = [];
  let brk = HEAP_START;
  let mmapNext = MMAP_BASE;
  let walks = 0;
  let accesses = 0;
  for (let index = 0; index < ops; index++) {
    if ((live.length + mmapped.length > 0 && rand() < 0.45) || live.length > 500) {
      const all = live.length + mmapped.length;
      const k = Math.floor(rand() * all);
      if (k < live.length) live.splice(k, 1);
      else mmapped.splice(k - live.length, 1);
    } else if (rand() < 0.02) {
      const size = 64 * 1024 + Math.floor(rand() * 4) * PAGE;
      const start = mmapNext;
      const end = start + Math.ceil((size + HEADER) / PAGE) * PAGE;
      mmapped.push({ ptr: start + HEADER, size, mmap: { start, end, guardEnd: end + PAGE } });
      mmapNext = end + 2 * PAGE;
    } else {
      const size = 16 * (1 + Math.floor(rand() * 32));
      let at = -1;
      let prevEnd = HEAP_START;
      let slot = live.length;
      for (let i = 0; i < live.length; i++) {
        const b = live[i]!;
        if (b.ptr - HEADER - prevEnd >= size + HEADER) {
          at = prevEnd + HEADER;
          slot = i;
          break;
        }
        prevEnd = b.ptr + b.size;
      }
      if (at < 0) {
        at = prevEnd + HEADER;
        if (at + size > brk) brk = Math.ceil((at + size) / PAGE) * PAGE;
      }
      live.splice(slot, 0, { ptr: at, size });
    }
    walks += Math.floor(rand() * 4) + (index % 500 < 20 ? 30 : 0);
    accesses += 40 + Math.floor(rand() * 20);
    const liveBytes = [...live, ...mmapped].reduce((s, b) => s + b.size, 0);
    const heapBytes = brk - HEAP_START + mmapped.reduce((s, b) => s + (b.mmap!.end - b.mmap!.start), 0);
    const last = index === ops - 1;
    if (index % every === 0 || last) {
      out.op!.push(index);
      out.liveBytes!.push(liveBytes);
      out.heapBytes!.push(heapBytes);
      out.walks!.push(walks);
      out.accesses!.push(accesses);
    }
    if (index % snapshotEvery === 0 || last) {
      const snap = out["heap.op"]!.length;
      out["heap.op"]!.push(index);
      out["heap.start"]!.push(HEAP_START);
      out["heap.end"]!.push(brk);
      const blocks = [...live, ...mmapped].sort((a, b) => a.ptr - b.ptr);
      for (const b of blocks) out["heap.blocks"]!.push(snap, b.ptr, b.ptr + b.size, 0);
      for (const b of mmapped) out["heap.blocks"]!.push(snap, b.mmap!.end, b.mmap!.guardEnd, 1);
      for (const b of mmapped) out["heap.blocks"]!.push(snap, b.mmap!.start, b.mmap!.end, 2);
    }
  }
  return out;
}

/** Heap metrics consistent with a series (peak-based utilization, JW #4), plus the others a real run reports. */
function heapMetrics(series: Record<string, number[]>): Record<string, number> {
  const peakLive = Math.max(...series.liveBytes!);
  const peakHeap = Math.max(...series.heapBytes!);
  return {
    utilization: peakLive / peakHeap,
    externalFragmentation: 0.4137,
    jwFragmentation1: 0.52,
    jwFragmentation2: 0.31,
    jwFragmentation3: 0.44,
    jwFragmentation4: (peakHeap - peakLive) / peakLive,
    internalFragmentation: 0.0625,
    tlbMissRate: series.walks![series.walks!.length - 1]! / series.accesses![series.accesses!.length - 1]!,
    cyclesPerOp: 412.3,
  };
}

/** The hidden challenge's secret, which a student's page must never show. */
export const HIDDEN_SECRET = "SECRET-hidden-layout";

/** A graded allocator with three challenges that have series (one hidden), one error and one timeout. */
export function reportFixture(name = "my-first-fit <script>alert(1)</script>"): ResultsDocument {
  const churn = simulatedSeries(2000, 1);
  const small = simulatedSeries(120, 2);
  const hidden = simulatedSeries(600, 3);
  const challenges: ChallengeResult[] = [
    {
      id: "heap/coalescing", title: "Coalescing under churn", topic: "heap", visibility: "public",
      verdict: "pass", score: 87.5, maxScore: 100, metrics: heapMetrics(churn), failures: [], wallMs: 812, series: churn,
    },
    {
      id: "heap/small-<b>", title: "Small & \"quoted\" run", topic: "heap", visibility: "public",
      verdict: "fail", score: 40, maxScore: 100, metrics: heapMetrics(small),
      failures: [{ op: 17, check: "overlap", message: "block <a> [0x10000010, 0x10000050) overlaps [0x10000040, 0x10000080)" }],
      wallMs: 45, series: small,
    },
    {
      id: "heap/hidden-stress", title: "Hidden stress", topic: HIDDEN_SECRET, visibility: "hidden",
      verdict: "fail", score: 20, maxScore: 100, metrics: { ...heapMetrics(hidden), [HIDDEN_SECRET]: 1 },
      failures: [{ op: 9, check: "payloadIntegrity", message: `${HIDDEN_SECRET}: bytes changed` }], wallMs: 33, series: hidden,
    },
    {
      id: "heap/throws", verdict: "error", score: 0, maxScore: 50, metrics: {},
      failures: [{ op: 3, check: "PLUGIN_THREW", message: "my-first-fit.malloc threw TypeError at op 3 (`a 1 16`)" }], wallMs: 5,
    },
    { id: "tlb/loop", verdict: "timeout", score: 0, maxScore: 50, metrics: {}, failures: [{ check: "TIMEOUT", message: "ran past 20000 ms" }], wallMs: 20000 },
  ];
  return {
    schemaVersion: 1,
    grader: { version: "0.1.0" },
    submission: { name, kind: "allocator", file: "my-first-fit.ts", sha256: "ab".repeat(32) },
    challengePack: { sha256: "cd".repeat(32), count: challenges.length },
    challenges,
    total: { score: challenges.reduce((s, c) => s + c.score, 0), maxScore: challenges.reduce((s, c) => s + c.maxScore, 0) },
  };
}
