import { strategyTables } from "../../graders/strategy-table";
import { challenge, makeDoc } from "../reporters/fixtures";

describe("strategyTables", () => {
  it("ranks strategies of a kind by total and shows each challenge's score and key figure", () => {
    const good = makeDoc("seg", [challenge({ id: "heap/a", score: 90, metrics: { utilization: 0.9 } }), challenge({ id: "heap/b", score: 80, metrics: { utilization: 0.8 } })]);
    const bad = makeDoc("ff", [challenge({ id: "heap/a", score: 0, verdict: "fail", metrics: { utilization: 0.1 } })]);
    const md = strategyTables([bad, good], "9.9.9");
    const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| strategy"));
    expect(rows[0]).toMatch(/^\| seg \| 170\.0 \/ 200 \| 90 · utilization 90\.0% \| 80 · utilization 80\.0% \|$/);
    expect(rows[1]).toMatch(/^\| ff \| 0\.0 \/ 100 \| \*\*fail\*\* 0 · utilization 10\.0% \| {2}\|$/);
    expect(md).toMatch(/grader 9\.9\.9/);
    expect(md).toMatch(/## Heap allocators/);
    expect(md).not.toMatch(/## Sanitizers/);
  });
});
