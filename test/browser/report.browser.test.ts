/// <reference lib="dom" />
/**
 * The HTML report and the leaderboard page as a person sees them: written to
 * disk, opened from file:// in Debian's chromium (playwright-core, no server),
 * checked against the results JSON, and screenshotted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { formatLeaderboard, Leaderboard } from "../../graders/leaderboard";
import { REPORTERS } from "../../graders/reporters";
import { formatMetric, formatScoreOf } from "../../graders/reporters/format";
import { tlbMissPoints, utilizationPoints } from "../../graders/reporters/svg";
import type { ResultsDocument } from "../../graders/results";
import { HIDDEN_SECRET, reportFixture } from "./report-fixture";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install it with \`apt-get install -y chromium\`; CI does in .ci/run)`);
}
const describeIfChromium = haveChromium ? describe : describe.skip;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Asserts a file is a PNG of some size and returns its width and height (from the IHDR chunk). */
function expectPng(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  expect(bytes.length).toBeGreaterThan(1000);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describeIfChromium(`HTML pages in chromium (${CHROMIUM})`, () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  const doc: ResultsDocument = reportFixture();
  /** Every URL any page asked for: pages open from disk and fetch nothing else. */
  const requests: string[] = [];

  /** Writes a page into the temp dir and opens it from disk. */
  async function open(name: string, html: string): Promise<void> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, html);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-browser-"));
    const profile = path.join(dir, "profile");
    fs.mkdirSync(profile);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1000, height: 800 },
    });
    page = await context.newPage();
    page.on("request", (r) => requests.push(r.url()));
  });

  afterAll(async () => {
    await context?.close();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("results report (instructor)", () => {
    beforeAll(async () => {
      await open("report.html", REPORTERS.html([doc], { audience: "instructor" }));
    });

    it("renders the title and one table row per challenge with its verdict and score", async () => {
      expect(await page.title()).toBe(`memarena: ${doc.submission.name}`);
      const rows = await page.$$eval("table.results tbody tr", (trs) =>
        trs.map((tr) => ({
          id: tr.getAttribute("data-challenge"),
          cells: [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""),
          score: tr.querySelector("[data-score]")?.getAttribute("data-score"),
        })),
      );
      expect(rows).toHaveLength(doc.challenges.length);
      rows.forEach((r, i) => {
        const c = doc.challenges[i]!;
        expect(r.id).toBe(c.id);
        expect(r.cells[1]).toBe(c.verdict);
        expect(r.cells[2]).toBe(formatScoreOf(c.score, c.maxScore));
        expect(Number(r.score)).toBe(c.score);
      });
    });

    it("shows names as text, never as markup, and runs no script", async () => {
      expect(await page.textContent("h1")).toBe(`memarena: ${doc.submission.name}`);
      expect(await page.evaluate(() => document.scripts.length)).toBe(0);
      expect(await page.textContent("tr[data-challenge='heap/small-<b>'] code")).toBe("heap/small-<b>");
      expect(requests.every((u) => u.startsWith("file:"))).toBe(true);
    });

    it("draws the heap of each challenge with series: one visible band per snapshot, one rect per live block", async () => {
      const withSeries = doc.challenges.filter((c) => c.series !== undefined);
      expect(await page.locator("svg.heap:not(.legend)").count()).toBe(withSeries.length);
      for (const c of withSeries) {
        const drawn = await page.$$eval(`section.challenge[data-challenge="${c.id}"] svg.heap:not(.legend) g.band`, (gs) =>
          gs.map((g) => {
            const box = (g as SVGGraphicsElement).getBBox();
            return {
              op: Number(g.getAttribute("data-op")),
              liveAttr: Number(g.getAttribute("data-live-blocks")),
              liveRects: g.querySelectorAll("rect.live").length,
              width: box.width,
              height: box.height,
            };
          }),
        );
        const ops = c.series!["heap.op"]!;
        expect(drawn).toHaveLength(ops.length);
        const flat = c.series!["heap.blocks"]!;
        drawn.forEach((b, i) => {
          let live = 0;
          for (let k = 0; k < flat.length; k += 4) if (flat[k] === i && flat[k + 3] === 0) live++;
          expect(b.op).toBe(ops[i]);
          expect(b.liveAttr).toBe(live);
          expect(b.liveRects).toBe(live);
          expect(b.width).toBeGreaterThan(0);
          expect(b.height).toBeGreaterThan(0);
        });
        const caption = await page.textContent(`section.challenge[data-challenge="${c.id}"] figure.heap figcaption`);
        expect(caption).toContain(`Heap at ${ops.length} snapshots`);
      }
      expect(await page.locator("svg.legend").first().textContent()).toContain("guard (no-access) region");
    });

    it("plots utilization and TLB misses from the series, and shows the numbers the JSON implies", async () => {
      for (const c of doc.challenges.filter((x) => x.series !== undefined)) {
        const sel = `section.challenge[data-challenge="${c.id}"]`;
        const util = utilizationPoints(c.series);
        const tlb = tlbMissPoints(c.series);
        const values = async (name: string): Promise<Array<number | null>> =>
          (await page.getAttribute(`${sel} svg.plot[data-series="${name}"]`, "data-values"))!.split(" ").map((v) => (v === "" ? null : Number(v)));
        expect(await values("utilization")).toEqual(util.map((p) => p.y));
        expect(await values("tlbMissesPer1000")).toEqual(tlb.map((p) => p.y));
        const live = c.series!.liveBytes!;
        const heap = c.series!.heapBytes!;
        const last = live[live.length - 1]! / heap[heap.length - 1]!;
        const shown = page.locator(`${sel} [data-plot-last="utilization"]`);
        expect(Number(await shown.getAttribute("data-value"))).toBe(last);
        expect(await shown.textContent()).toBe(formatMetric("utilization", last));
        const walks = c.series!.walks!;
        const accesses = c.series!.accesses!;
        const overall = (walks[walks.length - 1]! / accesses[accesses.length - 1]!) * 1000;
        expect(Number(await page.getAttribute(`${sel} [data-plot-overall]`, "data-value"))).toBe(overall);
        const path = await page.$eval(`${sel} svg.plot[data-series="utilization"] path.line`, (p) => (p as SVGGeometryElement).getTotalLength());
        expect(path).toBeGreaterThan(100);
      }
    });

    it("shows each fragmentation metric with its exact value as data and its formatted value as text", async () => {
      for (const c of doc.challenges.filter((x) => x.series !== undefined)) {
        const cells = await page.$$eval(`section.challenge[data-challenge="${c.id}"] table.frag td[data-metric]`, (tds) =>
          tds.map((td) => [td.getAttribute("data-metric")!, td.getAttribute("data-value")!, td.textContent!] as const),
        );
        expect(cells.map(([m]) => m)).toEqual(
          ["utilization", "externalFragmentation", "internalFragmentation", "jwFragmentation1", "jwFragmentation2", "jwFragmentation3", "jwFragmentation4"],
        );
        for (const [m, v, text] of cells) {
          expect(Number(v)).toBe(c.metrics[m]);
          expect(text).toBe(formatMetric(m, c.metrics[m]!));
        }
      }
    });

    it("takes a non-empty full-page screenshot", async () => {
      const file = path.join(dir, "shots", "report.png");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file, fullPage: true });
      const { width, height } = expectPng(file);
      expect(width).toBeGreaterThanOrEqual(1000);
      expect(height).toBeGreaterThan(800);
    });
  });

  describe("results report (student)", () => {
    beforeAll(async () => {
      await open("student.html", REPORTERS.html([doc], { audience: "student" }));
    });

    it("lists the hidden challenge's verdict and score but nothing else of it", async () => {
      expect(await page.locator("table.results tbody tr").count()).toBe(doc.challenges.length);
      const hidden = doc.challenges.find((c) => c.visibility === "hidden")!;
      const row = page.locator(`tr[data-challenge="${hidden.id}"]`);
      expect(await row.locator("td").nth(1).textContent()).toBe(hidden.verdict);
      expect(await row.locator("td").nth(2).textContent()).toBe(formatScoreOf(hidden.score, hidden.maxScore));
      expect(await page.locator(`section.challenge[data-challenge="${hidden.id}"]`).count()).toBe(0);
      expect(await page.locator("svg.heap:not(.legend)").count()).toBe(doc.challenges.filter((c) => c.series !== undefined && c.visibility !== "hidden").length);
      expect(await page.content()).not.toContain(HIDDEN_SECRET);
    });
  });

  describe("leaderboard page", () => {
    it("ranks the entries of a real leaderboard file and shows them as text", async () => {
      const lb = new Leaderboard(path.join(dir, "board.db"), { clock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
      try {
        lb.record(doc, { submitter: "<alice & co>" });
        lb.record(reportFixture("best-fit"), { submitter: "bob" });
        lb.record({ ...reportFixture("next-fit"), submission: { ...doc.submission, name: "next-fit", sha256: "ef".repeat(32) }, total: { score: 390, maxScore: 400 } }, { submitter: "carol" });
        const rows = lb.ranking();
        await open("leaderboard.html", formatLeaderboard(rows, "html"));
        expect(await page.title()).toBe("memarena leaderboard");
        const shown = await page.$$eval("table.leaderboard tbody tr", (trs) =>
          trs.map((tr) => ({ cells: [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""), score: tr.querySelectorAll("td")[3]!.getAttribute("data-value") })),
        );
        expect(shown).toHaveLength(rows.length);
        expect(shown).toHaveLength(3);
        shown.forEach((r, i) => {
          expect(r.cells[0]).toBe(String(rows[i]!.rank));
          expect(r.cells[1]).toBe(rows[i]!.submitter);
          expect(r.cells[2]).toBe(rows[i]!.name);
          expect(Number(r.score)).toBe(rows[i]!.totalScore);
        });
        expect(shown[0]!.cells[1]).toBe("carol");
        expect(shown.map((r) => r.cells[1])).toContain("<alice & co>");
        expect(await page.evaluate(() => document.scripts.length)).toBe(0);
        const file = path.join(dir, "shots", "leaderboard.png");
        await page.screenshot({ path: file, fullPage: true });
        expectPng(file);
        expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
      } finally {
        lb.close();
      }
    });
  });
});
