/**
 * Seeded malloc-lab-style workloads for measuring utilization on the fake
 * heap. Each generator returns id-based ops (see allocator-harness.ts) and
 * frees everything at the end, like the *-bal traces.
 */
import { createRng, type Rng } from "../../core/random";
import type { HeapOp } from "./allocator-harness";

/** A named workload. */
export interface Workload {
  readonly name: string;
  readonly ops: readonly HeapOp[];
}

class Builder {
  readonly ops: HeapOp[] = [];
  readonly live: number[] = [];
  private nextId = 0;

  alloc(size: number): number {
    const id = this.nextId++;
    this.ops.push({ op: "alloc", id, size });
    this.live.push(id);
    return id;
  }

  free(id: number): void {
    this.ops.push({ op: "free", id });
    const at = this.live.indexOf(id);
    if (at >= 0) this.live.splice(at, 1);
  }

  freeRandom(rng: Rng): void {
    if (this.live.length > 0) this.free(this.live[rng.int(this.live.length)]);
  }

  realloc(id: number, size: number): void {
    this.ops.push({ op: "realloc", id, size });
  }

  done(): HeapOp[] {
    for (const id of [...this.live]) this.free(id);
    return this.ops;
  }
}

/** Log-uniform size in [lo, hi]: many small requests, a tail of big ones. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo))));
}

/** Random sizes 1..16 KiB (log-uniform), random frees; live set ramps up then down. */
export function randomSizes(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  for (let i = 0; i < 3000; i++) {
    const pFree = i < 1500 ? 0.35 : 0.65;
    if (rng.next() < pFree) b.freeRandom(rng);
    else b.alloc(logUniform(rng, 8, 16 * 1024));
  }
  return { name: "random sizes", ops: b.done() };
}

/** Two populations: many small (8..64 B) and fewer large (2..8 KiB), random lifetimes. */
export function bimodal(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  for (let i = 0; i < 3000; i++) {
    if (rng.next() < (i < 1500 ? 0.3 : 0.6)) b.freeRandom(rng);
    else if (rng.next() < 0.8) b.alloc(rng.range(8, 64));
    else b.alloc(rng.range(2048, 8192));
  }
  return { name: "bimodal", ops: b.done() };
}

/** Coalescing churn (malloc-lab coalescing-bal): two blocks freed, then one of their combined size. */
export function coalescingChurn(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  const anchors = Array.from({ length: 20 }, () => b.alloc(rng.range(100, 400)));
  for (let i = 0; i < 400; i++) {
    const size = rng.range(1000, 4000);
    const x = b.alloc(size);
    const y = b.alloc(size);
    b.free(x);
    b.free(y);
    const z = b.alloc(2 * size);
    b.free(z);
  }
  for (const id of anchors) b.free(id);
  return { name: "coalescing churn", ops: b.done() };
}

/** Realloc growth as in malloc-lab realloc-bal: one buffer grows by 128 B per step; a short-lived 128 B block is allocated between steps. */
export function reallocGrowth(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  let size = 512;
  const buffer = b.alloc(size);
  let small = b.alloc(128);
  for (let i = 0; i < 1200; i++) {
    size += 128;
    b.realloc(buffer, size);
    const next = b.alloc(rng.range(96, 160));
    b.free(small);
    small = next;
  }
  return { name: "realloc growth", ops: b.done() };
}

/**
 * Two buffers grow alternately while up to 40 small blocks live between
 * them: harder than realloc-bal, and not in the averaged set (segregated-fits
 * gets ~60-90% here depending on alignment; it is reported separately).
 */
export function reallocTwoBuffers(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  const buffers = [b.alloc(512), b.alloc(512)];
  const sizes = [512, 512];
  const smalls: number[] = [];
  for (let i = 0; i < 600; i++) {
    const which = rng.int(2);
    sizes[which] += rng.range(32, 160);
    b.realloc(buffers[which], sizes[which]);
    smalls.push(b.alloc(rng.range(16, 128)));
    if (smalls.length > 40) b.free(smalls.splice(rng.int(smalls.length), 1)[0]);
  }
  return { name: "realloc, two buffers", ops: b.done() };
}

/** Short- vs long-lived: a slowly growing set of long-lived blocks amid many short-lived ones. */
export function shortAndLongLived(seed: string): Workload {
  const rng = createRng(seed);
  const b = new Builder();
  const shortLived: number[] = [];
  for (let i = 0; i < 4000; i++) {
    if (i % 10 === 0) b.alloc(logUniform(rng, 16, 2048));
    shortLived.push(b.alloc(logUniform(rng, 16, 4096)));
    if (shortLived.length > 30 || (shortLived.length > 0 && rng.next() < 0.5)) {
      b.free(shortLived.splice(rng.int(shortLived.length), 1)[0]);
    }
  }
  return { name: "short- vs long-lived", ops: b.done() };
}

/** The adversarial malloc-lab binary-bal pattern (64/448 pairs, free the 448s, then 512s): not in the average. */
export function binaryAdversarial(): Workload {
  const b = new Builder();
  const big: number[] = [];
  for (let i = 0; i < 1000; i++) {
    b.alloc(64);
    big.push(b.alloc(448));
  }
  for (const id of big) b.free(id);
  for (let i = 0; i < 1000; i++) b.alloc(512);
  return { name: "binary (adversarial)", ops: b.done() };
}

/** The workloads the utilization target is averaged over: one per malloc-lab trace family. */
export function standardWorkloads(seed = "memarena-utilization"): Workload[] {
  return [
    randomSizes(seed),
    bimodal(seed),
    coalescingChurn(seed),
    reallocGrowth(seed),
    shortAndLongLived(seed),
  ];
}
