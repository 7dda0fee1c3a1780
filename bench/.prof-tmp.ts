import { createMachine } from "../core/container";
const m = createMachine({ physicalMemory: "4GiB" });
const pid = m.kernel.createProcess({ heapLimitBytes: 2 ** 40 });
const heap = m.kernel.heap(pid);
const pages = Number(process.argv[2] ?? 32), stride = Number(process.argv[3] ?? 4096);
const base = heap.sbrk(pages * stride + 4096);
for (let p = 0; p < pages; p++) heap.store64(base + p * stride, p);
let sum = 0, p = 0, off = 0;
const N = Number(process.argv[4] ?? 20_000_000);
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  sum += heap.load64(base + p * stride + off);
  if (++p === pages) { p = 0; off = (off + 8) & 4095; }
}
const c = process.cpuUsage(c0); console.log((N / ((c.user + c.system) / 1e6) / 1e6).toFixed(2), "M/cpu-s", sum);
