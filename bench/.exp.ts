import { createMachine } from "../core/container";
const m = createMachine({ physicalMemory: "4GiB" });
const pid = m.kernel.createProcess({ heapLimitBytes: 2 ** 40 });
const heap = m.kernel.heap(pid);
const pages = 32, stride = 4096;
const base = heap.sbrk(pages * stride + 4096);
for (let p = 0; p < pages; p++) heap.store64(base + p * stride, p);
const N = 10_000_000;
function time(name: string, f: () => number) {
  f();
  let best = 0, r = 0;
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    r = f();
    const c = process.cpuUsage(c0);
    best = Math.max(best, N / ((c.user + c.system) / 1e6) / 1e6);
  }
  console.log(name, best.toFixed(1), "M/cpu-s", r);
}
const mmu = m.mmu, mem = m.memory;
const paddrs = Array.from({ length: pages }, (_, p) => (m.kernel.access(pid, base + p * stride, "read") as any).paddr as number);
time("raw mem.load64", () => { let s = 0, p = 0, off = 0; for (let i = 0; i < N; i++) { s += mem.load64(paddrs[p] + off); if (++p === pages) { p = 0; off = (off + 8) & 4095; } } return s; });
time("mmu.translate+load", () => { let s = 0, p = 0, off = 0; for (let i = 0; i < N; i++) { s += mem.load64(mmu.translate(base + p * stride + off, 0, 0)); if (++p === pages) { p = 0; off = (off + 8) & 4095; } } return s; });
time("heap.load64", () => { let s = 0, p = 0, off = 0; for (let i = 0; i < N; i++) { s += heap.load64(base + p * stride + off); if (++p === pages) { p = 0; off = (off + 8) & 4095; } } return s; });
const t0 = m.mmu.tlbs[0];
time("tlb.lookup only", () => { let s = 0, p = 0; const v0 = Math.floor(base / 4096); for (let i = 0; i < N; i++) { s += t0.lookup(v0 + p, 12, 1); if (++p === pages) p = 0; } return s; });
time("heap.load64 sequential 128KiB", () => { let s = 0, off = 0; const span = pages * stride; for (let i = 0; i < N; i++) { s += heap.load64(base + off); off += 8; if (off === span) off = 0; } return s; });
time("mmu sequential", () => { let s = 0, off = 0; const span = pages * stride; for (let i = 0; i < N; i++) { s += mem.load64(mmu.translate(base + off, 0, 0)); off += 8; if (off === span) off = 0; } return s; });
