import { REPORTERS } from "../../graders/reporters";
import { challenge, classDoc, deepFreeze, makeDoc, SECRET } from "./fixtures";

describe("html reporter", () => {
  const doc = deepFreeze(classDoc());
  const html = REPORTERS.html([doc], { audience: "instructor" });

  it("is one self-contained page: inline CSS, no external assets, no script", () => {
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<link|<script|\ssrc=|\shref=|url\(/i);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
  });

  it("lists every challenge with its verdict and score", () => {
    expect(html.match(/<tr><td><code>/g)).toHaveLength(doc.challenges.length);
    expect(html).toContain('<td class="pass">pass</td><td class="num">87.5 / 100</td>');
    expect(html).toContain('<td class="internal-error">internal-error</td>');
  });

  it("escapes markup from names and messages", () => {
    const evil = makeDoc("<script>alert(1)</script>", [
      challenge({ id: "a", verdict: "fail", score: 0, failures: [{ check: "c", message: "<img src=x onerror=alert(1)>" }] }),
    ]);
    const out = REPORTERS.html([evil], { audience: "instructor" });
    expect(out).not.toContain("<script>");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("redacts hidden challenges for students", () => {
    expect(html).toContain(SECRET);
    expect(REPORTERS.html([doc], { audience: "student" })).not.toContain(SECRET);
  });
});
