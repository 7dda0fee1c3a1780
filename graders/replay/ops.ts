/**
 * The ops the replays consume, after a workload has been resolved (sizes are
 * numbers here). The challenge types describe what a file may hold; these
 * describe what a replay reads.
 */

/** A heap op. */
export type HeapOp =
  | { readonly op: "alloc"; readonly id: number; readonly size: number; readonly align?: number; readonly scoped?: boolean; readonly expect?: string }
  | { readonly op: "free"; readonly id: number; readonly expect?: string }
  | { readonly op: "realloc"; readonly id: number; readonly size: number; readonly expect?: string }
  | { readonly op: "read" | "write"; readonly id: number; readonly offset: number; readonly length: number; readonly expect?: string }
  | { readonly op: "dma"; readonly device: string; readonly id: number; readonly offset: number; readonly length: number; readonly dir: "to-device" | "from-device"; readonly expect?: string };

/** An op in the compact one-line form used in messages: `a 17 512`, `f 17`, `r 17 1024`. */
export function opText(op: unknown): string {
  if (op === null || typeof op !== "object") return String(op);
  const o = op as Record<string, unknown>;
  switch (o.op) {
    case "alloc":
      return `a ${o.id} ${o.size}${o.align !== undefined ? ` align=${o.align}` : ""}`;
    case "free":
      return `f ${o.id}`;
    case "realloc":
      return `r ${o.id} ${o.size}`;
    case "read":
      return `rd ${o.id} ${o.offset} ${o.length}`;
    case "write":
      return `w ${o.id} ${o.offset} ${o.length}`;
    default: {
      const rest = Object.entries(o)
        .filter(([k]) => k !== "op")
        .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
        .join(" ");
      return `${String(o.op)}${rest ? ` ${rest}` : ""}`;
    }
  }
}
