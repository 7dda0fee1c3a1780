/**
 * Seeded workload generators (the `generate` workload). Every random choice
 * comes from one `createRng(seed)`, so a spec and a seed fix the ops.
 *
 * Invariants of every generated workload (tested as properties):
 * - an id (pid) is reused only after it was freed (exited);
 * - free, realloc, read and write name a live block; exit, access, map, pin
 *   and unpin name a live process;
 * - read/write ranges lie inside the block, access addresses inside the
 *   process, map addresses inside the process and aligned to the page size;
 * - a family emits exactly `ops` counted ops (heap: alloc/free/realloc;
 *   processes: spawn/exit; frames: spawn/exit/map) before the freeAll tail.
 *
 * The generator's clock counts those ops; lifetimes are measured on it.
 */
import { type Rng, createRng } from "../../core/random";
import { tryParseSize } from "../../core/machine/units";
import type { GeneratorSpec, LifetimeDistribution, Op, SizeDistribution } from "../challenge/types";

/** Default number of counted ops of a family. */
export const DEFAULT_GENERATED_OPS = 1000;

/** Draws a size in bytes. */
export function sampleSize(d: SizeDistribution, rng: Rng): number {
  switch (d.dist) {
    case "fixed":
      return d.size;
    case "uniform":
      return rng.range(d.min, Math.max(d.min, d.max));
    case "log-uniform": {
      const lo = Math.log(d.min);
      const hi = Math.log(Math.max(d.min, d.max));
      return Math.min(Math.max(d.min, d.max), Math.max(d.min, Math.round(Math.exp(lo + rng.next() * (hi - lo)))));
    }
    case "bimodal":
      return rng.next() < (d.largeFraction ?? 0.5) ? d.large : d.small;
  }
}

/** Draws a lifetime in ops (Infinity: never freed by the generator). */
export function sampleLifetime(d: LifetimeDistribution, rng: Rng): number {
  switch (d.dist) {
    case "fixed":
      return d.ops;
    case "uniform":
      return rng.range(d.min, Math.max(d.min, d.max));
    case "exponential":
      return Math.max(1, Math.round(-Math.log(1 - rng.next()) * d.mean));
    case "bimodal":
      return rng.next() < (d.longFraction ?? 0.1) ? d.long : d.short;
    case "forever":
      return Infinity;
  }
}

/** A min-heap of (death, serial) pairs with lazy deletion. */
class DeathQueue {
  private readonly items: { death: number; serial: number; key: number }[] = [];
  /** Adds an entry. */
  push(death: number, serial: number, key: number): void {
    const a = this.items;
    a.push({ death, serial, key });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  /** The smallest entry still accepted by `alive`, without removing it. */
  peek(alive: (serial: number, key: number) => boolean): { death: number; key: number } | undefined {
    while (this.items.length > 0 && !alive(this.items[0].serial, this.items[0].key)) this.pop();
    return this.items[0];
  }
  private pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l], a[m])) m = l;
      if (r < a.length && this.less(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
  private less(x: { death: number; key: number }, y: { death: number; key: number }): boolean {
    return x.death < y.death || (x.death === y.death && x.key < y.key);
  }
}

/** Smallest-first pool of free ids with a high-water mark. */
class IdPool {
  private readonly free: number[] = [];
  private next = 0;
  /** Takes the smallest id not in use. */
  take(): number {
    if (this.free.length === 0) return this.next++;
    return this.free.shift()!;
  }
  /** Returns an id to the pool. */
  give(id: number): void {
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, id);
  }
}

/** A set of live ids with O(1) random choice. */
class LiveSet<T> {
  private readonly ids: number[] = [];
  private readonly index = new Map<number, number>();
  readonly data = new Map<number, T>();
  /** Number of live entries. */
  get size(): number {
    return this.ids.length;
  }
  /** Adds a live id. */
  add(id: number, value: T): void {
    this.index.set(id, this.ids.length);
    this.ids.push(id);
    this.data.set(id, value);
  }
  /** Removes a live id. */
  delete(id: number): void {
    const i = this.index.get(id)!;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(id);
    this.data.delete(id);
  }
  /** A random live id. */
  pick(rng: Rng): number {
    return this.ids[rng.int(this.ids.length)];
  }
  /** Live ids, ascending. */
  sorted(): number[] {
    return [...this.ids].sort((a, b) => a - b);
  }
}

interface Block {
  size: number;
  serial: number;
}
interface Proc {
  size: number;
  serial: number;
  pinned: boolean;
  /** Next virtual address to map (frames family). */
  cursor: number;
}

/** Shared state of one generation run: the heap and the processes carry across phases. */
class Gen {
  readonly out: Op[] = [];
  readonly blocks = new LiveSet<Block>();
  readonly procs = new LiveSet<Proc>();
  private readonly blockIds = new IdPool();
  private readonly pids = new IdPool();
  private readonly blockDeaths = new DeathQueue();
  private readonly procDeaths = new DeathQueue();
  private serial = 0;
  clock = 0;
  budget = 0;

  constructor(readonly rng: Rng) {}

  private tick(op: Op): void {
    this.out.push(op);
    this.clock++;
    this.budget--;
  }

  alloc(size: number, lifetime: number): number {
    const id = this.blockIds.take();
    const serial = ++this.serial;
    this.blocks.add(id, { size, serial });
    this.blockDeaths.push(this.clock + lifetime, serial, id);
    this.tick({ op: "alloc", id, size });
    return id;
  }

  free(id: number): void {
    this.blocks.delete(id);
    this.blockIds.give(id);
    this.tick({ op: "free", id });
  }

  realloc(id: number, size: number): void {
    this.blocks.data.get(id)!.size = size;
    this.tick({ op: "realloc", id, size });
  }

  private blockAlive = (serial: number, id: number): boolean => this.blocks.data.get(id)?.serial === serial;
  private procAlive = (serial: number, pid: number): boolean => this.procs.data.get(pid)?.serial === serial;

  /** Frees one block whose lifetime is over; false when none is due. */
  freeDue(): boolean {
    const top = this.blockDeaths.peek(this.blockAlive);
    if (!top || top.death > this.clock) return false;
    this.free(top.key);
    return true;
  }

  /** Frees the block that would die soonest (at a maxLive cap). */
  freeSoonest(): void {
    const top = this.blockDeaths.peek(this.blockAlive);
    this.free(top ? top.key : this.blocks.pick(this.rng));
  }

  /** Maybe a read or write of a random live block. */
  sprinkle(rate: number, writeFraction: number, maxBytes: number): void {
    if (rate <= 0 || this.blocks.size === 0 || this.rng.next() >= rate) return;
    const id = this.blocks.pick(this.rng);
    const size = this.blocks.data.get(id)!.size;
    const length = this.rng.range(1, Math.min(maxBytes, size));
    const offset = this.rng.range(0, size - length);
    this.out.push({ op: this.rng.next() < writeFraction ? "write" : "read", id, offset, length });
  }

  spawn(size: number, lifetime: number): number {
    const pid = this.pids.take();
    const serial = ++this.serial;
    this.procs.add(pid, { size, serial, pinned: false, cursor: 0 });
    this.procDeaths.push(this.clock + lifetime, serial, pid);
    this.tick({ op: "spawn", pid, size });
    return pid;
  }

  exit(pid: number): void {
    if (this.procs.data.get(pid)!.pinned) this.out.push({ op: "unpin", pid });
    this.procs.delete(pid);
    this.pids.give(pid);
    this.tick({ op: "exit", pid });
  }

  pin(pid: number): void {
    this.procs.data.get(pid)!.pinned = true;
    this.out.push({ op: "pin", pid });
  }

  map(pid: number, vaddr: number, pageSize: number): void {
    this.tick({ op: "map", pid, vaddr, flags: "rwu", pageSize });
  }

  /** Ends one process whose lifetime is over; false when none is due. */
  exitDue(): boolean {
    const top = this.procDeaths.peek(this.procAlive);
    if (!top || top.death > this.clock) return false;
    this.exit(top.key);
    return true;
  }

  /** Ends the process that would die soonest. */
  exitSoonest(): void {
    const top = this.procDeaths.peek(this.procAlive);
    this.exit(top ? top.key : this.procs.pick(this.rng));
  }

  /** Frees every live block and ends every live process, in id order. */
  freeAll(): void {
    for (const id of this.blocks.sorted()) {
      this.blocks.delete(id);
      this.blockIds.give(id);
      this.out.push({ op: "free", id });
    }
    for (const pid of this.procs.sorted()) {
      if (this.procs.data.get(pid)!.pinned) this.out.push({ op: "unpin", pid });
      this.procs.delete(pid);
      this.pids.give(pid);
      this.out.push({ op: "exit", pid });
    }
  }
}

/** The smaller and the larger size a distribution stands for (binary family). */
function twoSizes(d: SizeDistribution): [number, number] {
  switch (d.dist) {
    case "fixed":
      return [d.size, d.size];
    case "bimodal":
      return [Math.min(d.small, d.large), Math.max(d.small, d.large)];
    default:
      return [Math.min(d.min, d.max), Math.max(d.min, d.max)];
  }
}

function runSpec(g: Gen, spec: GeneratorSpec): void {
  if (spec.kind === "phases") {
    for (const phase of spec.phases) runSpec(g, phase);
    if (spec.freeAll ?? true) g.freeAll();
    return;
  }
  const ops = spec.ops ?? DEFAULT_GENERATED_OPS;
  g.budget = ops;
  const rng = g.rng;
  switch (spec.kind) {
    case "random":
    case "lifetimes": {
      const sizes = spec.sizes ?? (spec.kind === "random" ? { dist: "uniform", min: 1, max: 4096 } : { dist: "log-uniform", min: 16, max: 4096 });
      const life: LifetimeDistribution =
        spec.lifetime ?? (spec.kind === "random" ? { dist: "exponential", mean: Math.max(4, ops / 10) } : { dist: "bimodal", short: 8, long: ops, longFraction: 0.1 });
      const traffic = trafficOf(spec);
      while (g.budget > 0) {
        if (!g.freeDue()) {
          if (spec.maxLive !== undefined && g.blocks.size >= spec.maxLive) g.freeSoonest();
          else g.alloc(sampleSize(sizes, rng), sampleLifetime(life, rng));
        }
        g.sprinkle(...traffic);
      }
      break;
    }
    case "binary": {
      const [small, large] = twoSizes(spec.sizes ?? { dist: "bimodal", small: 64, large: 448 });
      const batch = spec.batch ?? 64;
      const traffic = trafficOf(spec);
      const step = (f: () => void): boolean => {
        if (g.budget <= 0) return false;
        f();
        g.sprinkle(...traffic);
        return true;
      };
      while (g.budget > 0) {
        const smalls: number[] = [];
        const larges: number[] = [];
        const bigs: number[] = [];
        for (let k = 0; k < batch; k++) {
          if (!step(() => smalls.push(g.alloc(small, Infinity)))) break;
          if (!step(() => larges.push(g.alloc(large, Infinity)))) break;
        }
        for (const id of larges) if (!step(() => g.free(id))) break;
        for (let k = 0; k < batch; k++) if (!step(() => bigs.push(g.alloc(small + large, Infinity)))) break;
        for (const id of [...smalls, ...bigs]) if (!step(() => g.free(id))) break;
      }
      break;
    }
    case "coalescing": {
      const sizes = spec.sizes ?? { dist: "uniform", min: 16, max: 512 };
      const batch = spec.batch ?? 32;
      const traffic = trafficOf(spec);
      const step = (f: () => void): boolean => {
        if (g.budget <= 0) return false;
        f();
        g.sprinkle(...traffic);
        return true;
      };
      while (g.budget > 0) {
        const ids: number[] = [];
        const sz: number[] = [];
        for (let k = 0; k < batch; k++) {
          const s = sampleSize(sizes, rng);
          if (!step(() => ids.push(g.alloc(s, Infinity)))) break;
          sz.push(s);
        }
        for (let k = 0; k < ids.length; k += 2) if (!step(() => g.free(ids[k]))) break;
        for (let k = 1; k < ids.length; k += 2) if (!step(() => g.free(ids[k]))) break;
        const bigs: number[] = [];
        for (let k = 0; k + 1 < sz.length; k += 2) if (!step(() => bigs.push(g.alloc(sz[k] + sz[k + 1], Infinity)))) break;
        for (const id of bigs) if (!step(() => g.free(id))) break;
      }
      break;
    }
    case "realloc": {
      const sizes = spec.sizes ?? { dist: "uniform", min: 16, max: 256 };
      const life = spec.lifetime ?? { dist: "forever" };
      const nBuf = spec.buffers ?? 2;
      const blockerRate = spec.blockerRate ?? 0.5;
      const traffic = trafficOf(spec);
      const bufs: { id: number; size: number }[] = [];
      let turn = 0;
      while (g.budget > 0) {
        if (g.freeDue()) {
          g.sprinkle(...traffic);
          continue;
        }
        const live = bufs.filter((b) => g.blocks.data.has(b.id));
        if (live.length < nBuf) {
          const size = sampleSize(sizes, rng);
          bufs.push({ id: g.alloc(size, Infinity), size });
        } else {
          const b = live[turn++ % live.length];
          b.size += sampleSize(sizes, rng);
          g.realloc(b.id, b.size);
          if (g.budget > 0 && rng.next() < blockerRate) g.alloc(sampleSize(sizes, rng), sampleLifetime(life, rng));
        }
        g.sprinkle(...traffic);
      }
      break;
    }
    case "processes": {
      const sizes = spec.sizes ?? { dist: "log-uniform", min: 16 * 1024, max: 1024 * 1024 };
      const life = spec.lifetime ?? { dist: "exponential", mean: 8 };
      const maxLive = spec.maxLive ?? 16;
      let counted = 0;
      while (g.budget > 0) {
        if (!g.exitDue()) {
          if (g.procs.size >= maxLive) g.exitSoonest();
          else {
            const pid = g.spawn(sampleSize(sizes, rng), sampleLifetime(life, rng));
            if (spec.pinRate && rng.next() < spec.pinRate) g.pin(pid);
          }
        }
        counted++;
        if (spec.compactEvery && counted % spec.compactEvery === 0) g.out.push({ op: "compact" });
        if (spec.accessRate && g.procs.size > 0 && rng.next() < spec.accessRate) {
          const pid = g.procs.pick(rng);
          const p = g.procs.data.get(pid)!;
          g.out.push({ op: "access", pid, addr: rng.int(p.size), kind: rng.next() < 0.5 ? "read" : "write" });
        }
      }
      break;
    }
    case "frames": {
      const sizes = spec.sizes ?? { dist: "fixed", size: 64 * 1024 * 1024 };
      const life = spec.lifetime ?? { dist: "exponential", mean: 64 };
      const maxLive = spec.maxLive ?? 4;
      const pageSize = tryParseSize(spec.pageSize ?? 4096) ?? 4096;
      const hugeSize = tryParseSize(spec.hugePageSize ?? 2 * 1024 * 1024) ?? 2 * 1024 * 1024;
      const hugeRate = spec.hugeRate ?? 0.1;
      while (g.budget > 0) {
        if (g.exitDue()) continue;
        if (g.procs.size === 0 || (g.procs.size < maxLive && rng.next() < 0.05)) {
          g.spawn(sampleSize(sizes, rng), sampleLifetime(life, rng));
          continue;
        }
        const pid = g.procs.pick(rng);
        const p = g.procs.data.get(pid)!;
        const huge = rng.next() < hugeRate;
        const ps = huge ? hugeSize : pageSize;
        const vaddr = Math.ceil(p.cursor / ps) * ps;
        if (vaddr + ps > p.size) {
          g.exit(pid); // full: end it, its frames go back
          continue;
        }
        p.cursor = vaddr + ps;
        g.map(pid, vaddr, ps);
      }
      break;
    }
  }
  if (spec.freeAll ?? true) g.freeAll();
}

function trafficOf(spec: { accessRate?: number; writeFraction?: number; accessBytes?: number }): [number, number, number] {
  return [spec.accessRate ?? 0, spec.writeFraction ?? 0.5, spec.accessBytes ?? 64];
}

/** Generates the ops of a (schema-valid) generator spec; the same spec and seed give the same ops. */
export function generateWorkload(spec: GeneratorSpec, seed: number | string): Op[] {
  const g = new Gen(createRng(seed));
  runSpec(g, spec);
  return g.out;
}
