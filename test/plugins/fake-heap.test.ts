import fc from "fast-check";
import { FakeHeap, FakeHeapFault } from "../helpers/fake-heap";

describe("FakeHeap (the test stand-in for the simulated machine)", () => {
  it("sbrk returns the old break, grows up to the limit, then returns -1", () => {
    const heap = new FakeHeap({ heapStart: 0x1000, heapLimit: 100 });
    expect(heap.sbrk(60)).toBe(0x1000);
    expect(heap.heapEnd).toBe(0x1000 + 60);
    expect(heap.sbrk(41)).toBe(-1);
    expect(heap.sbrk(40)).toBe(0x1000 + 60);
    expect(heap.sbrk(0)).toBe(0x1000 + 100);
  });

  it("load/store round-trip little endian; narrow stores keep the low bits", () => {
    const heap = new FakeHeap();
    const p = heap.sbrk(64);
    heap.store32(p, 0x1_2345_6789);
    expect(heap.load32(p)).toBe(0x2345_6789);
    expect(heap.load8(p)).toBe(0x89);
    expect(heap.load16(p + 2)).toBe(0x2345);
    heap.store8(p + 8, 0x1ff);
    expect(heap.load8(p + 8)).toBe(0xff);
  });

  it("store64/load64 round-trip every safe integer, negatives as two's complement", () => {
    const heap = new FakeHeap();
    const p = heap.sbrk(16);
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        heap.store64(p, value);
        expect(heap.load64(p)).toBe(value);
      }),
    );
    heap.store64(p, -1);
    expect(heap.load32(p)).toBe(0xffff_ffff);
    expect(() => heap.store64(p, 2 ** 53)).toThrow(FakeHeapFault);
    heap.store32(p, 0);
    heap.store32(p + 4, 0x7fff_ffff);
    expect(() => heap.load64(p)).toThrow(FakeHeapFault);
  });

  it("faults outside the heap and outside mapped regions", () => {
    const heap = new FakeHeap();
    const p = heap.sbrk(16);
    expect(() => heap.load8(p + 16)).toThrow(FakeHeapFault);
    expect(() => heap.store32(p + 14, 1)).toThrow(FakeHeapFault);
    expect(() => heap.load8(p - 1)).toThrow(FakeHeapFault);
    expect(() => heap.copy(p, p + 8, 16)).toThrow(FakeHeapFault);
  });

  it("copy is memmove; fill sets bytes", () => {
    const heap = new FakeHeap();
    const p = heap.sbrk(16);
    heap.writeBytes(p, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    heap.copy(p + 2, p, 6);
    expect([...heap.readBytes(p, 8)]).toEqual([1, 2, 1, 2, 3, 4, 5, 6]);
    heap.copy(p, p + 2, 6);
    expect([...heap.readBytes(p, 8)]).toEqual([1, 2, 3, 4, 5, 6, 5, 6]);
    heap.fill(p, 0xab, 3);
    expect([...heap.readBytes(p, 4)]).toEqual([0xab, 0xab, 0xab, 4]);
  });

  it("mmap gives zeroed, aligned, separate regions; huge pages round to 2 MiB; munmap and mprotect work on them", () => {
    const heap = new FakeHeap();
    const a = heap.mmap(5000);
    expect(a % 4096).toBe(0);
    expect(heap.regionOf(a)!.length).toBe(8192);
    const h = heap.mmap(1, { hugePage: true });
    expect(h % (2 * 1024 * 1024)).toBe(0);
    expect(heap.regionOf(h)!.length).toBe(2 * 1024 * 1024);
    expect(heap.load64(h + 1000)).toBe(0);
    heap.copy(h, a, 100);
    expect(() => heap.load8(a + 8192)).toThrow(FakeHeapFault);
    expect(heap.mprotect(a, 4096, "none")).toBe(0);
    expect(() => heap.load8(a)).toThrow(FakeHeapFault);
    expect(heap.load8(a + 4096)).toBe(0);
    expect(heap.mprotect(a + 4096, 4096, "r")).toBe(0);
    expect(() => heap.store8(a + 4096, 1)).toThrow(FakeHeapFault);
    expect(heap.munmap(a, 8192)).toBe(0);
    expect(() => heap.load8(a + 4096)).toThrow(FakeHeapFault);
    expect(heap.munmap(a, 8192)).toBe(-1);
  });

  it("mmap returns -1 past its limit and for huge pages when the machine has none", () => {
    expect(new FakeHeap({ mmapLimit: 4096 }).mmap(8192)).toBe(-1);
    expect(new FakeHeap({ hugePageSizes: [] }).mmap(10, { hugePage: true })).toBe(-1);
  });
});
