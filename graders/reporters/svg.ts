/**
 * Inline SVG pictures of a challenge's series (ChallengeResult.series) for the
 * HTML report: the heap over time (one band per snapshot) and line plots.
 * Every picture carries the numbers it was drawn from as data attributes, so
 * tests (and curious readers) can check it against the results document.
 */
import { escapeXml } from "./xml";

/** Kinds of `heap.blocks` quadruples (see ChallengeResult.series). */
export const BLOCK_LIVE = 0;
/** A guard (no-access) region. */
export const BLOCK_GUARD = 1;
/** An mmapped region. */
export const BLOCK_MMAP = 2;

/** One address range of a heap snapshot. */
export interface HeapBlock {
  readonly start: number;
  readonly end: number;
  readonly kind: number;
}

/** One heap snapshot: the op after which it was taken, the extent, and its blocks in series order. */
export interface HeapSnapshot {
  readonly op: number;
  readonly start: number;
  readonly end: number;
  readonly blocks: readonly HeapBlock[];
}

/** One point of a line plot; `y` is null where the value is undefined (a gap in the line). */
export interface PlotPoint {
  readonly x: number;
  readonly y: number | null;
}

type Series = Readonly<Record<string, readonly number[]>>;

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The heap snapshots of a series; quadruples that are malformed or name no snapshot are dropped, never thrown on. */
export function heapSnapshots(series: Series | undefined): HeapSnapshot[] {
  const ops = series?.["heap.op"] ?? [];
  const starts = series?.["heap.start"] ?? [];
  const ends = series?.["heap.end"] ?? [];
  const n = Math.min(ops.length, starts.length, ends.length);
  const blocks: HeapBlock[][] = Array.from({ length: n }, () => []);
  const flat = series?.["heap.blocks"] ?? [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    const [snap, start, end, kind] = [flat[i], flat[i + 1], flat[i + 2], flat[i + 3]];
    if (!finite(snap) || !finite(start) || !finite(end) || !finite(kind)) continue;
    const list = blocks[snap];
    if (list === undefined || !Number.isInteger(snap) || end < start) continue;
    list.push({ start, end, kind });
  }
  const out: HeapSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ op: ops[i] as number, start: starts[i] as number, end: ends[i] as number, blocks: blocks[i] as HeapBlock[] });
  }
  return out;
}

function sampleCount(series: Series | undefined, names: readonly string[]): number {
  return Math.min(...names.map((k) => series?.[k]?.length ?? 0));
}

/** Utilization per sample: liveBytes / heapBytes at each sampled op (null while the heap is empty). */
export function utilizationPoints(series: Series | undefined): PlotPoint[] {
  const n = sampleCount(series, ["op", "liveBytes", "heapBytes"]);
  const out: PlotPoint[] = [];
  for (let i = 0; i < n; i++) {
    const live = series!.liveBytes![i] as number;
    const heap = series!.heapBytes![i] as number;
    out.push({ x: series!.op![i] as number, y: heap > 0 ? live / heap : null });
  }
  return out;
}

/** TLB misses per sample window: page walks per 1000 accesses since the previous sample (null when the window has no access). */
export function tlbMissPoints(series: Series | undefined): PlotPoint[] {
  const n = sampleCount(series, ["op", "walks", "accesses"]);
  const out: PlotPoint[] = [];
  for (let i = 0; i < n; i++) {
    const walks = (series!.walks![i] as number) - (i > 0 ? (series!.walks![i - 1] as number) : 0);
    const accesses = (series!.accesses![i] as number) - (i > 0 ? (series!.accesses![i - 1] as number) : 0);
    out.push({ x: series!.op![i] as number, y: accesses > 0 ? (walks / accesses) * 1000 : null });
  }
  return out;
}

/** A coordinate for SVG text: at most two decimals. */
function c(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** An address in hex. */
export function hexAddress(addr: number): string {
  return addr >= 0 && Number.isInteger(addr) ? `0x${addr.toString(16)}` : String(addr);
}

/** Bytes, in B/KiB/MiB/GiB with up to one decimal. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : Math.round(v * 10) / 10} ${units[u]}`;
}

const LABEL_W = 78;
const MAIN_W = 640;
const OUT_GAP = 18;
const OUT_W = 150;
const CLUSTER_GAP = 3;
const BAND_H = 10;
const BAND_STEP = 13;
const MIN_RECT_W = 0.5;

interface Cluster {
  readonly start: number;
  readonly end: number;
  x: number;
  w: number;
}

/**
 * Maps addresses to x. The main area spans [lowest extent start, highest
 * extent end) of all snapshots, so growth reads as bands getting longer.
 * Ranges entirely outside it (mmapped regions far away in the address space)
 * go to a side area where the runs of address space they cover are laid side
 * by side, the empty space between them left out.
 */
class AddressScale {
  readonly lo: number;
  readonly hi: number;
  readonly clusters: Cluster[] = [];
  readonly outX = LABEL_W + MAIN_W + OUT_GAP;

  constructor(snaps: readonly HeapSnapshot[]) {
    this.lo = Math.min(...snaps.map((s) => s.start));
    const hi = Math.max(...snaps.map((s) => s.end));
    this.hi = hi > this.lo ? hi : this.lo + 1;
    const outside = snaps
      .flatMap((s) => s.blocks)
      .filter((b) => !this.inMain(b))
      .map((b) => [b.start, Math.max(b.end, b.start + 1)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [start, end] of outside) {
      const last = this.clusters[this.clusters.length - 1];
      if (last !== undefined && start <= last.end) this.clusters[this.clusters.length - 1] = { ...last, end: Math.max(last.end, end) };
      else this.clusters.push({ start, end, x: 0, w: 0 });
    }
    const bytes = this.clusters.reduce((s, k) => s + (k.end - k.start), 0);
    const room = Math.max(OUT_W - CLUSTER_GAP * (this.clusters.length - 1), this.clusters.length * 2);
    let x = this.outX;
    for (const k of this.clusters) {
      k.x = x;
      k.w = Math.max(2, ((k.end - k.start) / bytes) * room);
      x += k.w + CLUSTER_GAP;
    }
  }

  /** Right edge of everything drawn. */
  get width(): number {
    const last = this.clusters[this.clusters.length - 1];
    return (last !== undefined ? last.x + last.w : LABEL_W + MAIN_W) + 6;
  }

  inMain(b: { start: number; end: number }): boolean {
    return (b.end > this.lo && b.start < this.hi) || (b.start === b.end && b.start >= this.lo && b.start < this.hi);
  }

  mainX(addr: number): number {
    const a = Math.min(Math.max(addr, this.lo), this.hi);
    return LABEL_W + ((a - this.lo) / (this.hi - this.lo)) * MAIN_W;
  }

  /** [x, width] of a range. */
  span(b: HeapBlock): [number, number] {
    if (this.inMain(b)) {
      const x = this.mainX(b.start);
      return [x, Math.max(MIN_RECT_W, this.mainX(b.end) - x)];
    }
    let lo = 0;
    let hi = this.clusters.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.clusters[mid] as Cluster).start <= b.start) lo = mid;
      else hi = mid - 1;
    }
    const k = this.clusters[lo] as Cluster;
    const scale = k.w / (k.end - k.start);
    return [k.x + (b.start - k.start) * scale, Math.max(MIN_RECT_W, (b.end - b.start) * scale)];
  }
}

function band(s: HeapSnapshot, index: number, scale: AddressScale, hatchId: string): string {
  const live = s.blocks.filter((b) => b.kind === BLOCK_LIVE);
  const guards = s.blocks.filter((b) => b.kind === BLOCK_GUARD);
  const mmaps = s.blocks.filter((b) => b.kind === BLOCK_MMAP);
  const liveBytes = live.reduce((sum, b) => sum + (b.end - b.start), 0);
  const extentBytes = Math.max(0, s.end - s.start);
  const rect = (cls: string, b: HeapBlock, extra = ""): string => {
    const [x, w] = scale.span(b);
    return `<rect class="${cls}" x="${c(x)}" y="0" width="${c(w)}" height="${BAND_H}"${extra}/>`;
  };
  const extX = scale.mainX(s.start);
  const tip = `op ${s.op}: heap ${hexAddress(s.start)}–${hexAddress(s.end)} (${formatBytes(extentBytes)}), ${live.length} live blocks (${formatBytes(liveBytes)}), ${guards.length} guard, ${mmaps.length} mmapped`;
  return [
    `<g class="band" data-snapshot="${index}" data-op="${s.op}" data-start="${s.start}" data-end="${s.end}" data-live-blocks="${live.length}" data-live-bytes="${liveBytes}" data-guard-regions="${guards.length}" data-mmap-regions="${mmaps.length}" transform="translate(0 ${index * BAND_STEP})">`,
    `<title>${escapeXml(tip)}</title>`,
    `<text class="op" x="${LABEL_W - 5}" y="${BAND_H - 1}" text-anchor="end">op ${s.op}</text>`,
    `<rect class="ext" x="${c(extX)}" y="0" width="${c(Math.max(0, scale.mainX(s.end) - extX))}" height="${BAND_H}"/>`,
    ...live.map((b) => rect("live", b)),
    ...guards.map((b) => rect("guard", b, ` fill="url(#${hatchId})"`)),
    ...mmaps.map((b) => rect("mmap", b)),
    "</g>",
  ].join("\n");
}

/**
 * The heap over time as one SVG: a band per snapshot, top to bottom in run
 * order; live payloads filled, guard regions hatched, mmapped regions
 * outlined, the rest of the extent drawn as "free or metadata". `idPrefix`
 * makes the SVG's ids unique on a page. Empty string when there is no snapshot.
 */
export function heapPictureSvg(series: Series | undefined, idPrefix: string, snaps: HeapSnapshot[] = heapSnapshots(series)): string {
  if (snaps.length === 0) return "";
  const scale = new AddressScale(snaps);
  const hatchId = `${idPrefix}-hatch`;
  const bandsH = snaps.length * BAND_STEP;
  const axisY = bandsH + 12;
  const height = axisY + (scale.clusters.length > 0 ? 14 : 4);
  const width = scale.width;
  const outLabel =
    scale.clusters.length > 0
      ? `<text class="axis" x="${c(scale.outX)}" y="${axisY}">outside the extent<title>${scale.clusters.length} address range${scale.clusters.length === 1 ? "" : "s"} outside the heap extent, side by side, the gaps between them left out</title></text>` +
        `<line class="sep" x1="${c(scale.outX - OUT_GAP / 2)}" y1="0" x2="${c(scale.outX - OUT_GAP / 2)}" y2="${bandsH}"/>`
      : "";
  return [
    `<svg class="heap" xmlns="http://www.w3.org/2000/svg" role="img" width="${c(width)}" height="${height}" viewBox="0 0 ${c(width)} ${height}" data-snapshots="${snaps.length}" data-address-lo="${scale.lo}" data-address-hi="${scale.hi}">`,
    `<title>Heap layout at ${snaps.length} snapshots: live payloads, guard regions, mmapped regions, and free space or metadata</title>`,
    `<defs><pattern id="${hatchId}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#f5d0c8"/><line x1="0" y1="0" x2="0" y2="4" stroke="#c0392b" stroke-width="2"/></pattern></defs>`,
    ...snaps.map((s, i) => band(s, i, scale, hatchId)),
    `<text class="axis" x="${LABEL_W}" y="${axisY}">${hexAddress(scale.lo)}</text>`,
    `<text class="axis" x="${LABEL_W + MAIN_W}" y="${axisY}" text-anchor="end">${hexAddress(scale.hi)}</text>`,
    outLabel,
    "</svg>",
  ].join("\n");
}

/** The legend of the heap picture, as a small SVG. */
export function heapLegendSvg(idPrefix: string): string {
  const hatchId = `${idPrefix}-legend-hatch`;
  const items: ReadonlyArray<readonly [string, string]> = [
    ["live", "live payload"],
    ["ext", "free or allocator metadata"],
    ["guard", "guard (no-access) region"],
    ["mmap", "mmapped region"],
  ];
  const step = 190;
  const cells = items.map(
    ([cls, label], i) =>
      `<g transform="translate(${i * step} 0)"><rect class="${cls}" x="1" y="2" width="22" height="${BAND_H}"${cls === "guard" ? ` fill="url(#${hatchId})"` : ""}/><text class="axis" x="28" y="11">${label}</text></g>`,
  );
  return [
    `<svg class="legend heap" xmlns="http://www.w3.org/2000/svg" width="${items.length * step}" height="16" viewBox="0 0 ${items.length * step} 16" role="img">`,
    `<title>Legend</title>`,
    `<defs><pattern id="${hatchId}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#f5d0c8"/><line x1="0" y1="0" x2="0" y2="4" stroke="#c0392b" stroke-width="2"/></pattern></defs>`,
    ...cells,
    "</svg>",
  ].join("\n");
}

/** What a line plot shows. */
export interface LinePlotSpec {
  /** Name put in `data-series`, e.g. "utilization". */
  readonly name: string;
  /** Title (also the SVG's accessible name). */
  readonly title: string;
  readonly points: readonly PlotPoint[];
  /** Top of the y axis; defaults to a round number above the largest value. */
  readonly yMax?: number;
  /** Formats a y tick label. */
  readonly formatY: (y: number) => string;
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A line plot over op index; `data-values` lists the plotted y values (empty for gaps) in sample order. */
export function linePlotSvg(spec: LinePlotSpec): string {
  const W = LABEL_W + MAIN_W + 6;
  const H = 150;
  const left = LABEL_W;
  const right = LABEL_W + MAIN_W;
  const top = 8;
  const bottom = H - 26;
  const ys = spec.points.map((p) => p.y).filter(finite);
  const yMax = spec.yMax ?? niceCeil(Math.max(0, ...ys));
  const xs = spec.points.map((p) => p.x);
  const x0 = xs.length > 0 ? Math.min(...xs) : 0;
  const x1 = xs.length > 0 ? Math.max(...xs) : 1;
  const px = (x: number): number => left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * (right - left) : (right - left) / 2);
  const py = (y: number): number => bottom - (Math.min(Math.max(y, 0), yMax) / yMax) * (bottom - top);
  let d = "";
  let pen = false;
  for (const p of spec.points) {
    if (p.y === null || !finite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${c(px(p.x))} ${c(py(p.y))}`;
    pen = true;
  }
  const single = spec.points.filter((p) => finite(p.y)).length === 1 ? spec.points.find((p) => finite(p.y)) : undefined;
  const yTicks = [0, yMax / 2, yMax];
  const xTicks = x1 > x0 ? [x0, Math.round((x0 + x1) / 2), x1] : [x0];
  return [
    `<svg class="plot" xmlns="http://www.w3.org/2000/svg" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" data-series="${escapeXml(spec.name, true)}" data-samples="${spec.points.length}" data-plotted="${ys.length}" data-y-max="${yMax}" data-values="${spec.points.map((p) => (p.y === null || !finite(p.y) ? "" : String(p.y))).join(" ")}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect class="frame" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`,
    ...yTicks.map(
      (t) =>
        `<line class="grid" x1="${left}" y1="${c(py(t))}" x2="${right}" y2="${c(py(t))}"/><text class="axis" x="${left - 5}" y="${c(py(t) + 4)}" text-anchor="end">${escapeXml(spec.formatY(t))}</text>`,
    ),
    ...xTicks.map(
      (t, i) =>
        `<text class="axis" x="${c(px(t))}" y="${bottom + 14}" text-anchor="${xTicks.length === 1 ? "middle" : ["start", "middle", "end"][i]}">op ${t}</text>`,
    ),
    d !== "" ? `<path class="line" d="${d}"/>` : `<text class="axis" x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle">no data</text>`,
    single !== undefined ? `<circle class="dot" cx="${c(px(single.x))}" cy="${c(py(single.y as number))}" r="2.5"/>` : "",
    "</svg>",
  ]
    .filter((l) => l !== "")
    .join("\n");
}
