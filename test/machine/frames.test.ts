import fc from "fast-check";
import { ErrorCode } from "../../core/errors";
import { normalizeMachine } from "../../core/machine/config";
import { C_DATA_FRAMES, C_PAGE_TABLE_FRAMES, C_PEAK_FRAMES, COUNTER_COUNT } from "../../core/machine/constants";
import { BuddyAllocator, FRAME_DATA, FRAME_TABLE, FrameTable, OWNER_KERNEL } from "../../core/machine/frames";
import type { FrameAllocator } from "../../core/sdk/types";

describe("BuddyAllocator", () => {
  it("hands out naturally aligned blocks and coalesces back to the initial state", () => {
    const b = new BuddyAllocator({ count: 1024, frameSize: 4096, maxOrder: 9 });
    const initial = b.freeBlocks();
    expect(initial[10]).toBe(1);
    const a0 = b.alloc(0);
    const a3 = b.alloc(3);
    const a9 = b.alloc(9);
    expect(a3 % 8).toBe(0);
    expect(a9 % 512).toBe(0);
    expect(new Set([a0, a3, a9]).size).toBe(3);
    expect(b.freeFrames).toBe(1024 - 1 - 8 - 512);
    b.free(a3, 3);
    b.free(a0, 0);
    b.free(a9, 9);
    expect(b.freeBlocks()).toEqual(initial);
    expect(b.freeFrames).toBe(1024);
  });

  it("returns -1 when no block of the order is left, and for impossible orders", () => {
    const b = new BuddyAllocator({ count: 8, frameSize: 4096, maxOrder: 3 });
    expect(b.alloc(4)).toBe(-1);
    expect(b.alloc(3)).toBe(0);
    expect(b.alloc(0)).toBe(-1);
  });

  it("covers frame counts that are not powers of two", () => {
    const b = new BuddyAllocator({ count: 13, frameSize: 4096, maxOrder: 3 });
    const got: number[] = [];
    for (let f = b.alloc(0); f >= 0; f = b.alloc(0)) got.push(f);
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it("never hands out overlapping or misaligned blocks (property, against a frame bitmap)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.tuple(fc.boolean(), fc.nat(5), fc.nat()), { maxLength: 200 }), (count, ops) => {
        const b = new BuddyAllocator({ count, frameSize: 4096, maxOrder: 5 });
        const used = new Uint8Array(count);
        const live: [number, number][] = [];
        for (const [doAlloc, order, pick] of ops) {
          if (doAlloc || live.length === 0) {
            const pfn = b.alloc(order);
            if (pfn < 0) continue;
            expect(pfn % 2 ** order).toBe(0);
            expect(pfn + 2 ** order).toBeLessThanOrEqual(count);
            for (let f = pfn; f < pfn + 2 ** order; f++) {
              expect(used[f]).toBe(0);
              used[f] = 1;
            }
            live.push([pfn, order]);
          } else {
            const [pfn, o] = live.splice(pick % live.length, 1)[0];
            b.free(pfn, o);
            used.fill(0, pfn, pfn + 2 ** o);
          }
          expect(b.freeFrames).toBe(count - used.reduce((s, x) => s + x, 0));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("FrameTable", () => {
  const config = normalizeMachine({ physicalMemory: "4MiB" });

  it("counts data and page-table frames, the peak, and owners", () => {
    const counters = new Float64Array(COUNTER_COUNT);
    const ft = new FrameTable(new BuddyAllocator({ count: 1024, frameSize: 4096, maxOrder: 9 }), config, counters);
    const d = ft.alloc(2, FRAME_DATA, 7);
    const t = ft.alloc(0, FRAME_TABLE, 7);
    const dev = ft.tagOwner("disk0");
    const k = ft.alloc(0, FRAME_DATA, dev);
    expect(counters[C_DATA_FRAMES]).toBe(5);
    expect(counters[C_PAGE_TABLE_FRAMES]).toBe(1);
    expect(ft.inUse).toBe(6);
    expect(ft.ownerOf(d + 3)).toBe(7);
    expect(ft.allocationOf(d + 2)).toEqual({ pfn: d, order: 2, use: FRAME_DATA, owner: 7 });
    expect(ft.ownerOf(k)).toBe(dev);
    expect(ft.ownerName(dev)).toBe("disk0");
    expect(ft.ownerName(OWNER_KERNEL)).toBe("kernel");
    ft.free(d);
    ft.free(t);
    expect(ft.ownerOf(d)).toBeUndefined();
    expect(counters[C_DATA_FRAMES]).toBe(1);
    expect(counters[C_PEAK_FRAMES]).toBe(6);
  });

  it("rejects a plugin allocator that hands out a live frame (PLUGIN_CONTRACT)", () => {
    const liar: FrameAllocator = { alloc: () => 4, free: () => undefined };
    const ft = new FrameTable(liar, config, new Float64Array(COUNTER_COUNT));
    expect(ft.alloc(0, FRAME_DATA, 1)).toBe(4);
    expect(() => ft.alloc(0, FRAME_DATA, 1)).toThrow(expect.objectContaining({ code: ErrorCode.PLUGIN_CONTRACT }));
    const misaligned: FrameAllocator = { alloc: () => 3, free: () => undefined };
    expect(() => new FrameTable(misaligned, config, new Float64Array(COUNTER_COUNT)).alloc(2, FRAME_DATA, 1)).toThrow(expect.objectContaining({ code: ErrorCode.PLUGIN_CONTRACT }));
  });
});
