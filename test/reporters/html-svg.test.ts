import {
  BLOCK_GUARD,
  BLOCK_LIVE,
  BLOCK_MMAP,
  heapPictureSvg,
  heapSnapshots,
  linePlotSvg,
  tlbMissPoints,
  utilizationPoints,
} from "../../graders/reporters/svg";
import { simulatedSeries } from "../browser/report-fixture";

/** The bands of a heap SVG, each with its attributes and the classes of its rects in order. */
function bands(svg: string): Array<{ attrs: Record<string, string>; rects: Array<{ cls: string; x: number; w: number }> }> {
  return svg
    .split('<g class="band"')
    .slice(1)
    .map((chunk) => {
      const body = chunk.slice(0, chunk.indexOf("</g>"));
      const head = body.slice(0, body.indexOf(">"));
      const attrs = Object.fromEntries([...head.matchAll(/\s([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      const rects = [...body.matchAll(/<rect class="(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"/g)].map((m) => ({
        cls: m[1]!,
        x: Number(m[2]),
        w: Number(m[3]),
      }));
      return { attrs, rects };
    });
}

/** Blocks of one kind in snapshot `snap` of the flattened quadruples. */
function countKind(flat: readonly number[], snap: number, kind: number): number {
  let n = 0;
  for (let i = 0; i < flat.length; i += 4) if (flat[i] === snap && flat[i + 3] === kind) n++;
  return n;
}

describe("heap picture", () => {
  const series = simulatedSeries(2000, 1);
  const svg = heapPictureSvg(series, "t");
  const drawn = bands(svg);

  it("draws one band per heap snapshot, in order, with the snapshot's op and extent", () => {
    expect(series["heap.op"]!.length).toBeGreaterThan(40);
    expect(drawn).toHaveLength(series["heap.op"]!.length);
    expect(svg).toContain(`data-snapshots="${series["heap.op"]!.length}"`);
    drawn.forEach((b, i) => {
      expect(b.attrs["data-snapshot"]).toBe(String(i));
      expect(b.attrs["data-op"]).toBe(String(series["heap.op"]![i]));
      expect(b.attrs["data-start"]).toBe(String(series["heap.start"]![i]));
      expect(b.attrs["data-end"]).toBe(String(series["heap.end"]![i]));
      expect(b.rects.filter((r) => r.cls === "ext")).toHaveLength(1);
    });
  });

  it("draws one rect per live block, guard and mmapped region of the series, and says how many", () => {
    const flat = series["heap.blocks"]!;
    let guards = 0;
    let mmaps = 0;
    drawn.forEach((b, i) => {
      const live = countKind(flat, i, BLOCK_LIVE);
      expect(b.rects.filter((r) => r.cls === "live")).toHaveLength(live);
      expect(b.attrs["data-live-blocks"]).toBe(String(live));
      expect(b.rects.filter((r) => r.cls === "guard")).toHaveLength(countKind(flat, i, BLOCK_GUARD));
      expect(b.rects.filter((r) => r.cls === "mmap")).toHaveLength(countKind(flat, i, BLOCK_MMAP));
      expect(b.attrs["data-guard-regions"]).toBe(String(countKind(flat, i, BLOCK_GUARD)));
      expect(b.attrs["data-mmap-regions"]).toBe(String(countKind(flat, i, BLOCK_MMAP)));
      guards += countKind(flat, i, BLOCK_GUARD);
      mmaps += countKind(flat, i, BLOCK_MMAP);
    });
    expect(guards).toBeGreaterThan(0);
    expect(mmaps).toBeGreaterThan(0);
  });

  it("places blocks of the extent by address inside the extent's rect, and mmapped ones to its right", () => {
    const snaps = heapSnapshots(series);
    drawn.forEach((b, i) => {
      const ext = b.rects.find((r) => r.cls === "ext")!;
      const inHeap = snaps[i]!.blocks.filter((k) => k.kind === BLOCK_LIVE && k.start >= snaps[i]!.start && k.end <= snaps[i]!.end);
      const rects = b.rects.filter((r) => r.cls === "live");
      const heapRects = rects.filter((r) => r.x <= ext.x + ext.w + 0.01);
      expect(heapRects).toHaveLength(inHeap.length);
      for (const r of heapRects) expect(r.x).toBeGreaterThanOrEqual(ext.x - 0.01);
      for (let k = 1; k < heapRects.length; k++) expect(heapRects[k]!.x).toBeGreaterThanOrEqual(heapRects[k - 1]!.x);
      for (const r of b.rects.filter((q) => q.cls === "mmap")) expect(r.x).toBeGreaterThan(ext.x + ext.w);
    });
    expect(svg).toContain("outside the extent");
  });

  it("reads the live bytes of a band from the series", () => {
    const snaps = heapSnapshots(series);
    drawn.forEach((b, i) => {
      const bytes = snaps[i]!.blocks.filter((k) => k.kind === BLOCK_LIVE).reduce((s, k) => s + k.end - k.start, 0);
      expect(b.attrs["data-live-bytes"]).toBe(String(bytes));
    });
  });

  it("hatches guard regions with a pattern of its own id", () => {
    expect(svg).toContain('<pattern id="t-hatch"');
    expect(svg.match(/fill="url\(#t-hatch\)"/g)!.length).toBe(drawn.reduce((s, b) => s + b.rects.filter((r) => r.cls === "guard").length, 0));
  });

  it("is empty without snapshots and survives malformed quadruples", () => {
    expect(heapPictureSvg(undefined, "x")).toBe("");
    expect(heapPictureSvg({ op: [1, 2] }, "x")).toBe("");
    const bad = { "heap.op": [5], "heap.start": [100], "heap.end": [200], "heap.blocks": [0, 110, 120, 0, 3, 1, 2, 0, 0, 150, 140, 0, 0, 160] };
    expect(heapSnapshots(bad)).toEqual([{ op: 5, start: 100, end: 200, blocks: [{ start: 110, end: 120, kind: 0 }] }]);
    expect(bands(heapPictureSvg(bad, "x"))[0]!.attrs["data-live-blocks"]).toBe("1");
  });
});

describe("series plots", () => {
  it("utilization is liveBytes / heapBytes per sample, with a gap while the heap is empty", () => {
    const pts = utilizationPoints({ op: [0, 10, 20], liveBytes: [0, 50, 90], heapBytes: [0, 100, 100] });
    expect(pts).toEqual([{ x: 0, y: null }, { x: 10, y: 0.5 }, { x: 20, y: 0.9 }]);
  });

  it("TLB misses are walks per 1000 accesses within each sample window, from the cumulative counters", () => {
    const pts = tlbMissPoints({ op: [0, 10, 20, 30], walks: [2, 2, 12, 13], accesses: [1000, 1000, 3000, 3500] });
    expect(pts).toEqual([{ x: 0, y: 2 }, { x: 10, y: null }, { x: 20, y: 5 }, { x: 30, y: 2 }]);
  });

  it("plots every value it was given, records them as data, and breaks the line at gaps", () => {
    const points = [{ x: 0, y: 0.2 }, { x: 10, y: 0.4 }, { x: 20, y: null }, { x: 30, y: 0.8 }, { x: 40, y: 1 }];
    const svg = linePlotSvg({ name: "utilization", title: "U", points, yMax: 1, formatY: String });
    expect(svg).toContain('data-series="utilization" data-samples="5" data-plotted="4"');
    expect(svg).toContain('data-values="0.2 0.4  0.8 1"');
    const d = /<path class="line" d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(2);
  });

  it("says so when there is nothing to plot", () => {
    expect(linePlotSvg({ name: "u", title: "U", points: [{ x: 0, y: null }], formatY: String })).toContain("no data");
  });
});
