import { formatLeaderboard, type RankRow } from "../../graders/leaderboard";

const rows: RankRow[] = [
  {
    rank: 1,
    entryId: 7,
    submitter: "alice",
    name: "best|fit",
    totalScore: 731.25,
    maxScore: 900,
    sha256: "ab".repeat(32),
    packSha256: "cd".repeat(32),
    graderVersion: "0.1.0",
    createdAt: "2026-01-02T03:04:05.000Z",
  },
  {
    rank: 2,
    entryId: 3,
    submitter: "<bob & co>",
    name: "first-fit",
    totalScore: 12,
    maxScore: 900,
    sha256: "ef".repeat(32),
    packSha256: null,
    graderVersion: "0.1.0",
    createdAt: "2026-01-01T00:00:00.000Z",
  },
];

describe("formatLeaderboard", () => {
  it("table: aligned columns, numbers right-aligned", () => {
    const lines = formatLeaderboard(rows, "table").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Rank\s+Submitter\s+Submission\s+Score\s+Max\s+%\s+Grader\s+Created \(UTC\)$/);
    expect(lines[2]).toMatch(/^\s+1  alice\s+best\|fit\s+731\.25\s+900\s+81\.3%\s+0\.1\.0\s+2026-01-02 03:04:05Z$/);
    const rightEdge = (line: string, text: string): number => line.indexOf(text) + text.length;
    expect(rightEdge(lines[2]!, "731.25")).toBe(rightEdge(lines[0]!, "Score"));
    expect(rightEdge(lines[3]!, " 12 ") - 1).toBe(rightEdge(lines[0]!, "Score"));
    expect(formatLeaderboard([], "table")).toContain("(no entries)");
  });

  it("json: the rows, 2-space indented", () => {
    const out = formatLeaderboard(rows, "json");
    expect(JSON.parse(out)).toEqual(rows);
    expect(out.split("\n")[1]).toBe("  {");
  });

  it("markdown: a table whose cells survive pipes and markup", () => {
    const lines = formatLeaderboard(rows, "markdown").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(lines[2]).toContain("best\\|fit");
    expect(lines[3]).toContain("&lt;bob &amp; co&gt;");
  });

  it("html: a self-contained page with escaped names", () => {
    const out = formatLeaderboard(rows, "html");
    expect(out.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(out).toContain("<style>");
    expect(out).not.toMatch(/<link|<script|\ssrc=|\shref=/i);
    expect(out).toContain("&lt;bob &amp; co&gt;");
    expect(out).not.toContain("<bob");
    expect(out.match(/<tr><td class="num">/g)).toHaveLength(2);
    expect(formatLeaderboard([], "html")).toContain("No entries yet.");
  });
});
