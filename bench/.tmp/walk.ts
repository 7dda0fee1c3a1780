import { createMachine } from "../../core/container";
const m = createMachine({ physicalMemory: "4GiB" });
const pid = m.kernel.createProcess({ heapLimitBytes: 2 ** 40 });
const heap = m.kernel.heap(pid);
const pages = 8192;
const base = heap.sbrk(pages * 4096);
for (let p = 0; p < pages; p++) heap.store64(base + p * 4096, p);
const run = (n: number) => { let s = 0, p = 0, off = 0; for (let i = 0; i < n; i++) { s += heap.load64(base + p * 4096 + off); if (++p === pages) { p = 0; off = (off + 8) & 4095; } } return s; };
run(500000);
let best = 0;
for (let k = 0; k < 3; k++) { const c0 = process.cpuUsage(); run(2_000_000); const c = process.cpuUsage(c0); best = Math.max(best, 2e6 / ((c.user + c.system) / 1e6)); }
console.log(process.argv[2], (best / 1e6).toFixed(2));
