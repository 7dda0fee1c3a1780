/**
 * Property: whatever the sequence of maps, unmaps, transfers (through
 * handles, raw device addresses or stale physical addresses), frees and
 * segment moves, a DMA operation changes no byte outside the frames of the
 * process it works for (or the bounce pool, or the IOMMU's own tables while
 * mapping), and every byte it refused is reported in a corruption event and
 * left unchanged.
 */
import fc from "fast-check";
import type { DmaDirection, DmaEvent, DmaMapping, DmaTransferResult } from "../../core/machine/dma";
import { FRAME_DATA } from "../../core/machine/frames";
import { dmaMachine } from "./dma-helpers";

const PAGE = 4096;
const DIRS: DmaDirection[] = ["to-device", "from-device", "bidirectional"];

type Cmd =
  | { t: "mmap"; p: number; pages: number }
  | { t: "touch"; b: number; page: number; seed: number }
  | { t: "munmap"; b: number }
  | { t: "move"; p: number; hole: number; shift: number }
  | { t: "pin"; p: number }
  | { t: "map"; b: number; dev: number; dir: number; off: number; len: number }
  | { t: "xfer"; m: number; write: boolean; off: number; len: number; seed: number }
  | { t: "unmap"; m: number }
  | { t: "raw"; dev: number; addr: number; len: number; write: boolean; seed: number }
  | { t: "phys"; dev: number; p: number; off: number; len: number; write: boolean; seed: number };

const small = fc.nat({ max: 1000 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant("map" as const), b: small, dev: fc.nat({ max: 1 }), dir: fc.nat({ max: 2 }), off: fc.nat({ max: 5000 }), len: fc.integer({ min: 1, max: 3 * PAGE }) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("xfer" as const), m: small, write: fc.boolean(), off: fc.nat({ max: 3 * PAGE }), len: fc.integer({ min: 0, max: 3 * PAGE }), seed: fc.nat({ max: 255 }) }), weight: 4 },
  fc.record({ t: fc.constant("mmap" as const), p: fc.nat({ max: 2 }), pages: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ t: fc.constant("touch" as const), b: small, page: fc.nat({ max: 2 }), seed: fc.nat({ max: 255 }) }),
  fc.record({ t: fc.constant("munmap" as const), b: small }),
  fc.record({ t: fc.constant("move" as const), p: fc.nat({ max: 2 }), hole: small, shift: fc.nat({ max: 0x3000 }) }),
  fc.record({ t: fc.constant("pin" as const), p: fc.nat({ max: 2 }) }),
  fc.record({ t: fc.constant("map" as const), b: small, dev: fc.nat({ max: 1 }), dir: fc.nat({ max: 2 }), off: fc.nat({ max: 5000 }), len: fc.integer({ min: 1, max: 3 * PAGE }) }),
  fc.record({ t: fc.constant("xfer" as const), m: small, write: fc.boolean(), off: fc.nat({ max: 3 * PAGE }), len: fc.integer({ min: 0, max: 3 * PAGE }), seed: fc.nat({ max: 255 }) }),
  fc.record({ t: fc.constant("unmap" as const), m: small }),
  fc.record({ t: fc.constant("raw" as const), dev: fc.nat({ max: 1 }), addr: fc.nat({ max: 0x50000 }), len: fc.integer({ min: 1, max: 2 * PAGE }), write: fc.boolean(), seed: fc.nat({ max: 255 }) }),
  fc.record({ t: fc.constant("phys" as const), dev: fc.nat({ max: 1 }), p: fc.nat({ max: 2 }), off: fc.nat({ max: 0x3000 }), len: fc.integer({ min: 1, max: 2 * PAGE }), write: fc.boolean(), seed: fc.nat({ max: 255 }) }),
);

function bytesOf(len: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (seed * 31 + i) & 0xff);
}

/** Runs a command sequence on one machine and checks every DMA operation. */
function check(mode: "paging" | "base-limit", iommu: boolean, cmds: readonly Cmd[]): void {
  const memBytes = mode === "paging" ? 256 * 1024 : 64 * 1024;
  const t = dmaMachine({
    physicalMemory: memBytes,
    mode,
    paging: { virtualBits: 32 },
    bounceBuffer: "8KiB",
    iommu: { enabled: iommu, iotlb: { entries: 4, ways: 2 } },
    devices: [
      { name: "disk0", dma: "contiguous" },
      { name: "nic0", dma: "scatter-gather", maxSegments: 2 },
    ],
  });
  const { dma, kernel, mem, frames, pool } = t;
  const devices = ["disk0", "nic0"];
  const pids = [kernel.createProcess(), kernel.createProcess(), kernel.createProcess()];
  const buffers: { pid: number; vaddr: number; bytes: number }[] = [];
  const mappings: DmaMapping[] = [];
  const stale = new Map<number, number>();
  if (mode === "paging") {
    // Three buffers per process, their pages touched round-robin so that each is physically scattered.
    for (const pid of pids) for (let i = 0; i < 3; i++) buffers.push({ pid, vaddr: kernel.mmap(pid, 3 * PAGE), bytes: 3 * PAGE });
    for (let page = 0; page < 3; page++) for (const b of buffers) kernel.poke(b.pid, b.vaddr + page * PAGE, bytesOf(PAGE, b.vaddr + page));
  } else {
    [0x1000, 0x5000, 0x9000].forEach((base, i) => {
      kernel.createSegment(pids[i], base, 0x3000);
      buffers.push({ pid: pids[i], vaddr: 0, bytes: 0x3000 });
    });
  }
  const snapshot = (): Uint8Array => {
    const out = new Uint8Array(memBytes);
    mem.read(0, out);
    return out;
  };
  /** Whose bytes the op may change: a predicate over physical addresses. */
  const ownedBy = (pidSet: ReadonlySet<number>, extra: (paddr: number) => boolean) => (paddr: number): boolean => {
    if (extra(paddr)) return true;
    if (mode === "paging") {
    // Three buffers per process, their pages touched round-robin so that each is physically scattered.
    for (const pid of pids) for (let i = 0; i < 3; i++) buffers.push({ pid, vaddr: kernel.mmap(pid, 3 * PAGE), bytes: 3 * PAGE });
    for (let page = 0; page < 3; page++) for (const b of buffers) kernel.poke(b.pid, b.vaddr + page * PAGE, bytesOf(PAGE, b.vaddr + page));
  } else {
      return kernel.segments().some((s) => pidSet.has(s.pid) && paddr >= s.base && paddr < s.base + s.size);
    }
    const a = frames.allocationOf(Math.floor(paddr / PAGE));
    return a !== undefined && a.use === FRAME_DATA && pidSet.has(a.owner);
  };
  const inPool = (paddr: number): boolean => pool.contains(paddr, 1);
  const none = (): boolean => false;

  for (const c of cmds) {
    let allowed: ((paddr: number) => boolean) | undefined;
    let result: DmaTransferResult | undefined;
    const before = snapshot();
    const eventsBefore = dma.events.length;
    switch (c.t) {
      case "mmap":
        if (mode === "paging") {
          const vaddr = kernel.mmap(pids[c.p], c.pages * PAGE);
          if (vaddr > 0) buffers.push({ pid: pids[c.p], vaddr, bytes: c.pages * PAGE });
        }
        break;
      case "touch": {
        const b = buffers[c.b % Math.max(1, buffers.length)];
        if (b && c.page * PAGE < b.bytes) kernel.poke(b.pid, b.vaddr + c.page * PAGE, bytesOf(Math.min(64, b.bytes), c.seed));
        break;
      }
      case "munmap": {
        if (mode !== "paging" || buffers.length === 0) break;
        const [b] = buffers.splice(c.b % buffers.length, 1);
        kernel.munmap(b.pid, b.vaddr, b.bytes);
        break;
      }
      case "move": {
        if (mode !== "base-limit") break;
        const pid = pids[c.p];
        const seg = kernel.segment(pid)!;
        const others = kernel.segments().filter((s) => s.pid !== pid);
        // Free holes around the other segments; the segment may land anywhere it fits (even over its old place).
        const holes: [number, number][] = [];
        let cursor = 0;
        for (const s of others) {
          if (s.base > cursor) holes.push([cursor, s.base]);
          cursor = s.base + s.size;
        }
        holes.push([cursor, memBytes]);
        const fits = holes.filter(([lo, hi]) => hi - lo >= seg.size);
        if (fits.length === 0) break;
        const [lo, hi] = fits[c.hole % fits.length];
        kernel.relocateSegment(pid, lo + (c.shift % (hi - lo - seg.size + 1)));
        break;
      }
      case "pin": {
        const seg = mode === "base-limit" ? kernel.segment(pids[c.p]) : undefined;
        if (seg) stale.set(pids[c.p], seg.base);
        break;
      }
      case "map": {
        const b = buffers[c.b % Math.max(1, buffers.length)];
        if (!b) break;
        const off = c.off % b.bytes;
        const r = dma.mapBuffer(devices[c.dev], b.pid, b.vaddr + off, Math.min(c.len, b.bytes - off), DIRS[c.dir]);
        if (r.ok) mappings.push(r.mapping);
        // Mapping demand-fills the process's pages, copies into the pool and edits IO page tables.
        allowed = (paddr) => {
          const a = frames.allocationOf(Math.floor(paddr / PAGE));
          return inPool(paddr) || (a !== undefined && (a.owner === b.pid || frames.ownerName(a.owner).startsWith("iommu:"))) || mode === "base-limit";
        };
        if (mode === "base-limit") allowed = ownedBy(new Set([b.pid]), none);
        break;
      }
      case "xfer": {
        const m = mappings[c.m % Math.max(1, mappings.length)];
        if (!m) break;
        const off = c.off % (m.length + 1);
        const len = Math.min(c.len, m.length - off);
        const write = m.dir === "from-device" || (m.dir === "bidirectional" && c.write);
        result = write ? dma.transfer(m, bytesOf(len, c.seed), off) : dma.transfer(m, undefined, off, len);
        allowed = ownedBy(new Set([m.pid]), inPool);
        if (result.ok) expect(result.bytes + result.blocked).toBe(len);
        break;
      }
      case "unmap": {
        const m = mappings[c.m % Math.max(1, mappings.length)];
        if (!m) break;
        dma.unmap(m);
        allowed = ownedBy(new Set([m.pid]), (p) => inPool(p) || (iommu && mode === "paging" && frames.ownerName(frames.ownerOf(Math.floor(p / PAGE)) ?? 0).startsWith("iommu:")));
        break;
      }
      case "raw": {
        const owners = new Set(dma.liveMappings().filter((m) => m.device === devices[c.dev]).map((m) => m.pid));
        result = dma.deviceTransfer(devices[c.dev], c.addr, c.len, c.write ? "from-device" : "to-device", bytesOf(c.len, c.seed));
        allowed = ownedBy(owners, inPool);
        break;
      }
      case "phys": {
        const pid = pids[c.p];
        const base = stale.get(pid) ?? (mode === "base-limit" ? kernel.segment(pid)!.base : c.off * 16);
        result = dma.physicalTransfer(devices[c.dev], base + c.off, c.len, c.write ? "from-device" : "to-device", pid, bytesOf(c.len, c.seed));
        allowed = ownedBy(new Set([pid]), none);
        break;
      }
    }
    if (!allowed) continue;
    const after = snapshot();
    const verdicts = new Map<number, boolean>();
    const pageVerdict = (p: number, f: (paddr: number) => boolean): boolean => {
      const page = Math.floor(p / PAGE);
      let v = verdicts.get(page);
      if (v === undefined) verdicts.set(page, (v = f(p)));
      return v;
    };
    const fresh: readonly DmaEvent[] = dma.events.slice(eventsBefore);
    for (let p = 0; p < memBytes; p++) {
      // Skip unchanged pages natively: only changed pages are looked at byte by byte.
      if (p % PAGE === 0 && Buffer.compare(before.subarray(p, p + PAGE), after.subarray(p, p + PAGE)) === 0) {
        p += PAGE - 1;
        continue;
      }
      // Ownership is per frame with paging (one verdict per page), per byte with base-limit segments.
      const ok = mode === "paging" ? pageVerdict(p, allowed) : allowed(p);
      if (before[p] !== after[p] && !ok) {
        throw new Error(`${JSON.stringify(c)} changed physical 0x${p.toString(16)} (owner ${String(frames.ownerOf(Math.floor(p / PAGE)))}), outside the frames it may touch`);
      }
    }
    let reported = 0;
    for (const e of fresh) {
      if (e.kind !== "corruption") continue;
      if (e.op !== "copy-back") reported += e.length;
      if (e.op !== "read") {
        // Plain comparison: a jest expect per byte would dominate the run time.
        for (let p = e.paddr; p < e.paddr + e.length; p++) {
          if (after[p] !== before[p]) throw new Error(`${JSON.stringify(c)}: refused byte at 0x${p.toString(16)} changed`);
        }
      }
    }
    if (result) expect(reported).toBe(result.blocked);
  }
}

describe("DMA never changes memory it was not given", () => {
  test("paging, with and without the IOMMU", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(cmd, { minLength: 5, maxLength: 40 }), (iommu, cmds) => check("paging", iommu, cmds)),
      { numRuns: 100 },
    );
  });

  test("base-limit, with segment moves under pinned and mapped DMA", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(cmd, { minLength: 5, maxLength: 40 }), (iommu, cmds) => check("base-limit", iommu, cmds)),
      { numRuns: 100 },
    );
  });
});
