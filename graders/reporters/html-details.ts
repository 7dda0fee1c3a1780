/** Per-challenge details of the HTML report: heap picture, utilization and TLB plots, fragmentation summary. */
import type { ChallengeResult } from "../results";
import { formatMetric } from "./format";
import { isHidden } from "./student-view";
import { BLOCK_LIVE, formatBytes, heapLegendSvg, heapPictureSvg, heapSnapshots, linePlotSvg, tlbMissPoints, utilizationPoints } from "./svg";
import type { Audience } from "./types";
import { escapeXml } from "./xml";

/** The fragmentation metrics summarized under a challenge, in display order, with what each one means. */
export const FRAGMENTATION_METRICS: ReadonlyArray<readonly [string, string]> = [
  ["utilization", "peak live payload / peak heap extent (higher is better)"],
  ["externalFragmentation", "mean of 1 − largest gap / all gaps in the extent"],
  ["internalFragmentation", "(usable − requested) / usable, over all allocations"],
  ["jwFragmentation1", "Johnstone–Wilson #1: mean of (heap − live) / live"],
  ["jwFragmentation2", "Johnstone–Wilson #2: heap at peak live vs peak live"],
  ["jwFragmentation3", "Johnstone–Wilson #3: peak heap vs live at peak heap"],
  ["jwFragmentation4", "Johnstone–Wilson #4: (peak heap − peak live) / peak live"],
  ["pageInternalFragmentation", "1 − peak live / data frame bytes at peak frames"],
];

/** True when the challenge has something to draw or summarize, and the audience may see it. */
export function hasDetails(c: ChallengeResult, audience: Audience): boolean {
  if (audience === "student" && isHidden(c)) return false;
  const s = c.series;
  const drawable = s !== undefined && ((s["heap.op"]?.length ?? 0) > 0 || (s.op?.length ?? 0) > 0);
  return drawable || FRAGMENTATION_METRICS.some(([m]) => c.metrics[m] !== undefined);
}

function fragmentationTable(c: ChallengeResult): string {
  const rows = FRAGMENTATION_METRICS.filter(([m]) => typeof c.metrics[m] === "number").map(([m, about]) => {
    const v = c.metrics[m] as number;
    return `<tr><th scope="row">${m}</th><td class="num" data-metric="${m}" data-value="${v}">${escapeXml(formatMetric(m, v))}</td><td><small>${escapeXml(about)}</small></td></tr>`;
  });
  if (rows.length === 0) return "";
  return ["<h4>Fragmentation</h4>", '<table class="frag">', "<tbody>", ...rows, "</tbody>", "</table>"].join("\n");
}

function heapFigure(c: ChallengeResult, idPrefix: string): string {
  const snaps = heapSnapshots(c.series);
  const svg = heapPictureSvg(c.series, idPrefix, snaps);
  if (svg === "") return "";
  const last = snaps[snaps.length - 1]!;
  const liveBlocks = last.blocks.filter((b) => b.kind === BLOCK_LIVE);
  const liveBytes = liveBlocks.reduce((s, b) => s + (b.end - b.start), 0);
  const caption =
    `Heap at ${snaps.length} snapshot${snaps.length === 1 ? "" : "s"}, one band each, address left to right. ` +
    `At the last one (op ${last.op}): <span data-last-live-blocks="${liveBlocks.length}">${liveBlocks.length}</span> live blocks, ` +
    `${escapeXml(formatBytes(liveBytes))} live in a ${escapeXml(formatBytes(Math.max(0, last.end - last.start)))} extent.`;
  return [
    '<figure class="heap">',
    "<h4>Heap over time</h4>",
    heapLegendSvg(idPrefix),
    `<div class="scroll">${svg}</div>`,
    `<figcaption>${caption}</figcaption>`,
    "</figure>",
  ].join("\n");
}

function percent(y: number): string {
  return `${Math.round(y * 100)}%`;
}

function plots(c: ChallengeResult): string {
  const out: string[] = [];
  const util = utilizationPoints(c.series);
  if (util.length > 0) {
    const ys = util.map((p) => p.y).filter((y): y is number => y !== null);
    const lowest = ys.length > 0 ? Math.min(...ys) : undefined;
    const lastY = ys.length > 0 ? ys[ys.length - 1] : undefined;
    const summary =
      lastY === undefined || lowest === undefined
        ? "no sample with a non-empty heap"
        : `last sample <span data-plot-last="utilization" data-value="${lastY}">${escapeXml(formatMetric("utilization", lastY))}</span>, lowest ${escapeXml(formatMetric("utilization", lowest))}`;
    out.push(
      '<figure class="plot">',
      "<h4>Utilization (live bytes / heap bytes per sample)</h4>",
      linePlotSvg({ name: "utilization", title: "Utilization per sample", points: util, yMax: 1, formatY: percent }),
      `<figcaption>${util.length} samples; ${summary}.</figcaption>`,
      "</figure>",
    );
  }
  const tlb = tlbMissPoints(c.series);
  if (tlb.length > 0) {
    const walks = c.series!.walks![tlb.length - 1] as number;
    const accesses = c.series!.accesses![tlb.length - 1] as number;
    const overall = accesses > 0 ? (walks / accesses) * 1000 : undefined;
    const summary =
      overall === undefined
        ? "no access"
        : `over the run <span data-plot-overall="tlbMissesPer1000" data-value="${overall}">${escapeXml(formatMetric("tlbMissesPer1000", overall))}</span> walks per 1000 accesses (${walks} walks, ${accesses} accesses)`;
    out.push(
      '<figure class="plot">',
      "<h4>TLB misses (page walks per 1000 accesses, per sample window)</h4>",
      linePlotSvg({ name: "tlbMissesPer1000", title: "TLB misses per 1000 accesses per sample window", points: tlb, formatY: (y) => String(Number(y.toPrecision(3))) }),
      `<figcaption>${tlb.length} samples; ${summary}.</figcaption>`,
      "</figure>",
    );
  }
  return out.join("\n");
}

/** The details section of one challenge; `idPrefix` keeps SVG ids unique on the page. */
export function challengeDetails(c: ChallengeResult, idPrefix: string): string {
  const title = c.title !== undefined && c.title !== "" ? ` <small>${escapeXml(c.title)}</small>` : "";
  const hidden = isHidden(c) ? ' <em class="hidden">hidden challenge (instructor view)</em>' : "";
  return [
    `<section class="challenge" data-challenge="${escapeXml(c.id, true)}">`,
    `<h3><code>${escapeXml(c.id)}</code>${title} <span class="${c.verdict}">${c.verdict}</span>${hidden}</h3>`,
    heapFigure(c, idPrefix),
    plots(c),
    fragmentationTable(c),
    "</section>",
  ]
    .filter((l) => l !== "")
    .join("\n");
}
