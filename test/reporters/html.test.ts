import { REPORTERS } from "../../graders/reporters";
import { hasDetails } from "../../graders/reporters/html-details";
import type { ResultsDocument } from "../../graders/results";
import { HIDDEN_SECRET, reportFixture, simulatedSeries } from "../browser/report-fixture";
import { challenge, classDoc, deepFreeze, makeDoc, SECRET } from "./fixtures";

/** External references: links, scripts, src/href attributes, and url() other than a same-document `url(#id)`. */
const EXTERNAL = /<link|<script|\ssrc=|\shref=|url\((?!#)/i;

describe("html reporter", () => {
  const doc = deepFreeze(classDoc());
  const html = REPORTERS.html([doc], { audience: "instructor" });
  const rich = deepFreeze(reportFixture());
  const richHtml = REPORTERS.html([rich], { audience: "instructor" });

  it("is one self-contained page: inline CSS, no external assets, no script", () => {
    for (const page of [html, richHtml]) {
      expect(page.startsWith("<!DOCTYPE html>\n")).toBe(true);
      expect(page).toContain("<style>");
      expect(page).not.toMatch(EXTERNAL);
      expect(page.trimEnd().endsWith("</html>")).toBe(true);
    }
  });

  it("gives every id on the page once, and every url(#id) points at one of them", () => {
    const ids = [...richHtml.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = new Set([...richHtml.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]));
    expect(refs.size).toBeGreaterThan(0);
    for (const r of refs) expect(ids).toContain(r);
  });

  it("lists every challenge with its verdict and score", () => {
    expect(html.match(/<tr data-challenge="/g)).toHaveLength(doc.challenges.length);
    expect(html).toContain('<td class="pass">pass</td><td class="num" data-score="87.5" data-max-score="100">87.5 / 100</td>');
    expect(html).toContain('<td class="internal-error">internal-error</td>');
  });

  it("escapes markup from names, ids, titles and messages, in text and in attributes", () => {
    const evil = makeDoc("<script>alert(1)</script>", [
      challenge({ id: "a", verdict: "fail", score: 0, failures: [{ check: "c", message: "<img src=x onerror=alert(1)>" }] }),
      challenge({
        id: `h"><script>x</script>`,
        title: "<svg onload=alert(2)>",
        metrics: { utilization: 0.5 },
        series: simulatedSeries(50, 9),
      }),
    ]);
    const out = REPORTERS.html([evil], { audience: "instructor" });
    expect(out).not.toContain("<script>");
    expect(out).not.toContain("<img");
    expect(out).not.toContain("<svg onload");
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(out).toContain('data-challenge="h&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(out).toContain('data-submission="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it("redacts hidden challenges for students", () => {
    expect(html).toContain(SECRET);
    expect(REPORTERS.html([doc], { audience: "student" })).not.toContain(SECRET);
  });

  it("shows no picture, plot or metric of a hidden challenge to a student, but does to an instructor", () => {
    const student = REPORTERS.html([rich], { audience: "student" });
    expect(student).not.toContain(HIDDEN_SECRET);
    expect(student).not.toContain('<section class="challenge" data-challenge="heap/hidden-stress"');
    expect(student).toContain('<tr data-challenge="heap/hidden-stress" data-verdict="fail">');
    expect(student).toContain('data-score="20" data-max-score="100"');
    const withSeries = rich.challenges.filter((c) => c.series !== undefined);
    const publicWithSeries = withSeries.filter((c) => c.visibility !== "hidden");
    expect(student.match(/<svg class="heap"/g)).toHaveLength(publicWithSeries.length);
    expect(student.match(/<svg class="plot"/g)).toHaveLength(2 * publicWithSeries.length);
    expect(richHtml.match(/<svg class="heap"/g)).toHaveLength(withSeries.length);
    expect(richHtml).toContain('<section class="challenge" data-challenge="heap/hidden-stress"');
  });

  it("keeps a hidden challenge's details from a student even when handed an unredacted result", () => {
    const hidden = rich.challenges.find((c) => c.visibility === "hidden")!;
    expect(hasDetails(hidden, "student")).toBe(false);
    expect(hasDetails(hidden, "instructor")).toBe(true);
  });

  it("gives each submission its own section, with SVG ids unique across them", () => {
    const two = REPORTERS.html([rich, deepFreeze(reportFixture("second"))], { audience: "instructor" });
    expect(two.match(/<section class="submission"/g)).toHaveLength(2);
    expect(two).toContain("<title>memarena: 2 submissions</title>");
    const ids = [...two.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("summarizes fragmentation with the exact values as data attributes", () => {
    const c = rich.challenges[0]!;
    const section = richHtml.slice(richHtml.indexOf(`<section class="challenge" data-challenge="${c.id}"`));
    for (const m of ["utilization", "externalFragmentation", "internalFragmentation", "jwFragmentation1", "jwFragmentation2", "jwFragmentation3", "jwFragmentation4"]) {
      expect(section).toContain(`data-metric="${m}" data-value="${c.metrics[m]}"`);
    }
    expect(section).toContain(`data-metric="jwFragmentation2" data-value="0.31">31.0%</td>`);
    expect(section.slice(0, section.indexOf("</section>"))).not.toContain('data-metric="cyclesPerOp"');
  });

  it("draws no details for a challenge without series or heap metrics", () => {
    const out = REPORTERS.html([makeDoc("x", [challenge({ id: "tlb/only", metrics: { tlbMissRate: 0.1 } })])], { audience: "instructor" });
    expect(out).not.toContain('<section class="challenge"');
    expect(out).not.toContain("<svg");
  });

  it("does not mutate its input", () => {
    expect(() => REPORTERS.html([rich], { audience: "student" })).not.toThrow();
  });
});
