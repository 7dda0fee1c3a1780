/**
 * The `memarena` package as plugin authors import it. The `define*` helpers
 * only add types and a `kind` tag; a plain object of the same shape works too.
 */
import type { AllocatorPlugin, FrameAllocatorPlugin, PlacementPlugin, SanitizerPlugin } from "./types";

export type * from "./types";

/** Declares a heap allocator plugin. */
export function defineAllocator<P extends Omit<AllocatorPlugin, "kind">>(plugin: P): P & { kind: "allocator" } {
  return { ...plugin, kind: "allocator" };
}

/** Declares a sanitizer plugin. */
export function defineSanitizer<P extends Omit<SanitizerPlugin, "kind">>(plugin: P): P & { kind: "sanitizer" } {
  return { ...plugin, kind: "sanitizer" };
}

/** Declares a contiguous placement policy plugin. */
export function definePlacement<P extends Omit<PlacementPlugin, "kind">>(plugin: P): P & { kind: "placement" } {
  return { ...plugin, kind: "placement" };
}

/** Declares a physical frame allocator plugin. */
export function defineFrameAllocator<P extends Omit<FrameAllocatorPlugin, "kind">>(plugin: P): P & { kind: "frame-allocator" } {
  return { ...plugin, kind: "frame-allocator" };
}
