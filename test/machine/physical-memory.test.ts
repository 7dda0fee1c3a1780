import fc from "fast-check";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { CHUNK_BYTES, PhysicalMemory, pooledChunks } from "../../core/machine/physical-memory";

describe("PhysicalMemory", () => {
  it("stores little-endian and reads untouched memory as zero without materializing", () => {
    const mem = new PhysicalMemory(16 * 1024 * 1024);
    expect(mem.load32(123456)).toBe(0);
    expect(mem.load64(8)).toBe(0);
    expect(mem.residentBytes).toBe(0);
    mem.store32(100, 0x11223344);
    expect([mem.load8(100), mem.load8(101), mem.load8(102), mem.load8(103)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(mem.load16(101)).toBe(0x2233);
    expect(mem.residentBytes).toBe(CHUNK_BYTES);
  });

  it("keeps the low bits for narrow stores", () => {
    const mem = new PhysicalMemory(1 << 20);
    mem.store8(0, 0x1ff);
    mem.store16(2, 0x12345);
    mem.store32(4, 2 ** 32 + 7);
    expect([mem.load8(0), mem.load16(2), mem.load32(4)]).toEqual([0xff, 0x2345, 7]);
  });

  it("stores negative safe integers as two's complement and reads them back signed", () => {
    const mem = new PhysicalMemory(1 << 20);
    mem.store64(0, -1);
    for (let i = 0; i < 8; i++) expect(mem.load8(i)).toBe(0xff);
    expect(mem.load64(0)).toBe(-1);
    mem.store64(8, -(2 ** 53 - 1));
    expect(mem.load64(8)).toBe(-(2 ** 53 - 1));
    mem.store64(16, 2 ** 53 - 1);
    expect(mem.load64(16)).toBe(2 ** 53 - 1);
  });

  it("refuses unsafe 64-bit values both ways", () => {
    const mem = new PhysicalMemory(1 << 20);
    for (const v of [2 ** 53, 1.5, NaN, Infinity]) {
      expect(() => mem.store64(0, v)).toThrow(expect.objectContaining({ code: ErrorCode.UNSAFE_INTEGER }));
    }
    mem.store32(0, 0);
    mem.store32(4, 0x00200000); // 2^53
    let err: unknown;
    try {
      mem.load64(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemarenaError);
    expect((err as MemarenaError).code).toBe(ErrorCode.UNSAFE_INTEGER);
  });

  it("handles accesses that straddle a chunk boundary", () => {
    const mem = new PhysicalMemory(4 * CHUNK_BYTES);
    const at = CHUNK_BYTES - 3;
    mem.store64(at, 0x0102030405060);
    expect(mem.load64(at)).toBe(0x0102030405060);
    mem.store32(2 * CHUNK_BYTES - 1, 0xdeadbeef);
    expect(mem.load32(2 * CHUNK_BYTES - 1)).toBe(0xdeadbeef);
    expect(mem.load8(2 * CHUNK_BYTES)).toBe(0xbe);
  });

  it("fill with zero on untouched memory materializes nothing", () => {
    const mem = new PhysicalMemory(8 * CHUNK_BYTES);
    mem.fill(10, 0, 5 * CHUNK_BYTES);
    expect(mem.residentBytes).toBe(0);
    mem.fill(CHUNK_BYTES - 2, 7, 4);
    expect(mem.residentBytes).toBe(2 * CHUNK_BYTES);
    expect([mem.load8(CHUNK_BYTES - 3), mem.load8(CHUNK_BYTES - 2), mem.load8(CHUNK_BYTES + 1), mem.load8(CHUNK_BYTES + 2)]).toEqual([0, 7, 7, 0]);
  });

  it("release gives chunks to the next memory, which reads them as zero; the released memory reads zero too", () => {
    const a = new PhysicalMemory(8 * CHUNK_BYTES);
    for (let c = 0; c < 8; c++) a.fill(c * CHUNK_BYTES, 0xa5, CHUNK_BYTES);
    expect(a.residentBytes).toBe(8 * CHUNK_BYTES);
    const pooled = pooledChunks();
    a.release();
    expect(pooledChunks()).toBe(pooled + 8);
    expect(a.residentBytes).toBe(0);
    expect(a.load64(3 * CHUNK_BYTES + 8)).toBe(0);
    const b = new PhysicalMemory(8 * CHUNK_BYTES);
    // Each store materializes a chunk, from the pool: everything else in it must be zero.
    for (let c = 0; c < 8; c++) b.store8(c * CHUNK_BYTES + 100, 1);
    expect(pooledChunks()).toBe(pooled);
    for (let c = 0; c < 8; c++) {
      const back = new Uint8Array(CHUNK_BYTES);
      b.read(c * CHUNK_BYTES, back);
      expect(back.reduce((sum, x) => sum + x, 0)).toBe(1);
    }
  });

  it("a 64 GiB memory with a few writes stays small", () => {
    const mem = new PhysicalMemory(64 * 1024 ** 3);
    mem.store64(60 * 1024 ** 3 + 5, 42);
    expect(mem.load64(60 * 1024 ** 3 + 5)).toBe(42);
    expect(mem.residentBytes).toBe(CHUNK_BYTES);
  });

  it("copy is memmove and read/write/fill agree with a plain byte array (property)", () => {
    const size = 3 * CHUNK_BYTES;
    const op = fc.oneof(
      fc.record({ kind: fc.constant("copy" as const), dst: fc.nat(size - 1), src: fc.nat(size - 1), n: fc.nat(2 * CHUNK_BYTES) }),
      fc.record({ kind: fc.constant("fill" as const), dst: fc.nat(size - 1), src: fc.nat(255), n: fc.nat(CHUNK_BYTES + 10) }),
      fc.record({ kind: fc.constant("write" as const), dst: fc.nat(size - 1), src: fc.nat(1000), n: fc.nat(300) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const mem = new PhysicalMemory(size);
        const model = new Uint8Array(size);
        for (const o of ops) {
          const n = Math.min(o.n, size - o.dst, o.kind === "copy" ? size - o.src : size);
          if (o.kind === "copy") {
            mem.copy(o.dst, o.src, n);
            model.copyWithin(o.dst, o.src, o.src + n);
          } else if (o.kind === "fill") {
            mem.fill(o.dst, o.src, n);
            model.fill(o.src & 0xff, o.dst, o.dst + n);
          } else {
            const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7 + o.src) & 0xff);
            mem.write(o.dst, bytes);
            model.set(bytes, o.dst);
          }
        }
        const out = new Uint8Array(size);
        mem.read(0, out);
        expect(Buffer.compare(Buffer.from(out), Buffer.from(model))).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
