/**
 * Replays allocator workloads on a FakeHeap and checks what the grader will
 * check: alignment, bounds (heap or mmapped region), no overlap with live
 * blocks, payload integrity (a seeded pattern written into each block and
 * verified at free / realloc / the end), realloc preserving min(old, new)
 * bytes, and re-creation without init (`recreate` ops). It also measures
 * utilization: peak live payload / peak heap extent.
 */
import type { Allocator, AllocatorPlugin } from "memarena";
import type { FakeHeap } from "../helpers/fake-heap";

/** One workload op; ids name blocks as in malloc-lab traces. */
export type HeapOp =
  | { readonly op: "alloc"; readonly id: number; readonly size: number }
  | { readonly op: "free"; readonly id: number }
  | { readonly op: "realloc"; readonly id: number; readonly size: number }
  | { readonly op: "recreate" };

/** What a replay measured. */
export interface ReplayResult {
  readonly peakLiveBytes: number;
  readonly peakExtent: number;
  /** peakLiveBytes / peakExtent (1 when the heap never grew). */
  readonly utilization: number;
}

interface LiveBlock {
  ptr: number;
  size: number;
  /** usableSize(ptr) when the allocator reports it, else size. */
  usable: number;
  tag: number;
}

/** A check failed: names the op index and the op. */
export class HarnessError extends Error {}

/** 1 MiB of seeded noise: a block's pattern is a window into it that depends on the block's tag. */
const NOISE = (() => {
  const bytes = new Uint8Array(1 << 20);
  let x = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
})();

/** The seeded bytes written into the block tagged `tag` (its first `n` bytes). */
function pattern(tag: number, n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  let at = (tag * 104_729) % NOISE.length;
  for (let filled = 0; filled < n; ) {
    const chunk = Math.min(n - filled, NOISE.length - at);
    bytes.set(NOISE.subarray(at, at + chunk), filled);
    filled += chunk;
    at = 0;
  }
  return bytes;
}

/** Replays `ops` against `plugin` on `heap` (init is called once, at the start). */
export function replay(plugin: AllocatorPlugin, heap: FakeHeap, ops: readonly HeapOp[]): ReplayResult {
  let allocator: Allocator = plugin.create(heap);
  allocator.init?.();
  const live = new Map<number, LiveBlock>();
  let nextTag = 1;
  let liveBytes = 0;
  let peakLiveBytes = 0;
  let peakExtent = heap.heapEnd - heap.heapStart;

  const fail = (index: number, message: string): never => {
    throw new HarnessError(`${plugin.name}: op ${index} ${JSON.stringify(ops[index])}: ${message}`);
  };

  /** Checks a new payload; returns its usable size (what the overlap check uses). */
  const checkNew = (index: number, ptr: number, size: number, except?: number): number => {
    if (!Number.isSafeInteger(ptr) || ptr <= 0) fail(index, `invalid return ${ptr}`);
    if (ptr % heap.alignment !== 0) fail(index, `0x${ptr.toString(16)} is not ${heap.alignment}-aligned`);
    const usable = allocator.usableSize ? allocator.usableSize(ptr) : size;
    if (usable < size) fail(index, `usableSize ${usable} is below the ${size} bytes asked for`);
    if (!heap.isAddressable(ptr, usable)) fail(index, `[0x${ptr.toString(16)}, +${usable}) is outside the heap and every mapped region`);
    for (const [id, block] of live) {
      if (id === except) continue;
      if (ptr < block.ptr + block.usable && block.ptr < ptr + usable) {
        fail(index, `[0x${ptr.toString(16)}, +${usable}) overlaps live block ${id} [0x${block.ptr.toString(16)}, +${block.usable})`);
      }
    }
    return usable;
  };

  const verify = (index: number, id: number, block: LiveBlock, n: number, at = block.ptr): void => {
    const actual = heap.readBytes(at, n);
    const expected = pattern(block.tag, n);
    for (let i = 0; i < n; i++) {
      if (actual[i] !== expected[i]) fail(index, `payload of block ${id} changed at offset ${i}`);
    }
  };

  ops.forEach((op, index) => {
    switch (op.op) {
      case "alloc": {
        const ptr = allocator.malloc(op.size);
        if (op.size === 0) {
          if (ptr !== 0) checkNew(index, ptr, 0);
          break;
        }
        if (ptr === 0) fail(index, "malloc returned 0 below the heap limit");
        const usable = checkNew(index, ptr, op.size);
        const block = { ptr, size: op.size, usable, tag: nextTag++ };
        heap.writeBytes(ptr, pattern(block.tag, op.size));
        live.set(op.id, block);
        liveBytes += op.size;
        break;
      }
      case "free": {
        const block = live.get(op.id);
        if (!block) break;
        verify(index, op.id, block, block.size);
        allocator.free(block.ptr);
        live.delete(op.id);
        liveBytes -= block.size;
        break;
      }
      case "realloc": {
        const block = live.get(op.id);
        if (!block) break;
        verify(index, op.id, block, block.size);
        const realloc = allocator.realloc?.bind(allocator);
        if (!realloc) fail(index, "no realloc");
        const ptr = realloc!(block.ptr, op.size);
        if (op.size === 0) {
          live.delete(op.id);
          liveBytes -= block.size;
          break;
        }
        if (ptr === 0) fail(index, "realloc returned 0 below the heap limit");
        const usable = checkNew(index, ptr, op.size, op.id);
        const keep = Math.min(block.size, op.size);
        const actual = heap.readBytes(ptr, keep);
        const expected = pattern(block.tag, keep);
        for (let i = 0; i < keep; i++) {
          if (actual[i] !== expected[i]) fail(index, `realloc lost byte ${i} of block ${op.id}`);
        }
        const moved = { ptr, size: op.size, usable, tag: nextTag++ };
        heap.writeBytes(ptr, pattern(moved.tag, op.size));
        live.set(op.id, moved);
        liveBytes += op.size - block.size;
        break;
      }
      case "recreate":
        allocator = plugin.create(heap);
        break;
    }
    peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    // The extent counts live mmapped regions too, as the grader's does.
    peakExtent = Math.max(peakExtent, heap.heapEnd - heap.heapStart + heap.mmappedBytes);
  });

  for (const [id, block] of live) verify(ops.length, id, block, block.size);
  for (const block of live.values()) allocator.free(block.ptr);
  return {
    peakLiveBytes,
    peakExtent,
    utilization: peakExtent === 0 ? 1 : peakLiveBytes / peakExtent,
  };
}

/** A raw random command, as fast-check generates it; `toOps` resolves `pick` against live ids. */
export type Command =
  | { readonly op: "alloc"; readonly size: number }
  | { readonly op: "free"; readonly pick: number }
  | { readonly op: "realloc"; readonly pick: number; readonly size: number }
  | { readonly op: "recreate" };

/** Turns random commands into an id-based workload (frees/reallocs of nothing are dropped). */
export function toOps(commands: readonly Command[]): HeapOp[] {
  const ops: HeapOp[] = [];
  const liveIds: number[] = [];
  let nextId = 0;
  for (const c of commands) {
    if (c.op === "alloc") {
      ops.push({ op: "alloc", id: nextId, size: c.size });
      if (c.size > 0) liveIds.push(nextId);
      nextId++;
    } else if (c.op === "recreate") {
      ops.push(c);
    } else if (liveIds.length > 0) {
      const at = c.pick % liveIds.length;
      const id = liveIds[at];
      if (c.op === "free" || c.size === 0) {
        liveIds.splice(at, 1);
      }
      ops.push(c.op === "free" ? { op: "free", id } : { op: "realloc", id, size: c.size });
    }
  }
  return ops;
}
