import fc from "fast-check";
import { componentFraction, scoreRun } from "../../graders/scoring";

describe("scoreRun", () => {
  const components = [
    { metric: "utilization", weight: 0.6, goal: "max" as const, target: 0.9 },
    { metric: "cyclesPerOp", weight: 0.4, goal: "min" as const, baseline: "builtin:first-fit" },
  ];

  it("weights each component's fraction of its reference", () => {
    const r = scoreRun("pass", { utilization: 0.45, cyclesPerOp: 200 }, components, 100, { "builtin:first-fit": { cyclesPerOp: 100 } });
    // utilization earns 0.45/0.9 = 0.5, cycles earn 100/200 = 0.5.
    expect(r.score).toBeCloseTo(50, 5);
    expect(r.components.map((c) => c.fraction)).toEqual([0.5, 0.5]);
  });

  it("caps each component at full marks", () => {
    const r = scoreRun("pass", { utilization: 0.99, cyclesPerOp: 10 }, components, 100, { "builtin:first-fit": { cyclesPerOp: 100 } });
    expect(r.score).toBe(100);
  });

  it("gives 0 for a verdict other than pass, and 0 of 0 for an internal error", () => {
    expect(scoreRun("fail", { utilization: 1 }, components).score).toBe(0);
    expect(scoreRun("fail", { utilization: 1 }, components).maxScore).toBe(100);
    expect(scoreRun("internal-error", {}, components)).toMatchObject({ score: 0, maxScore: 0 });
  });

  it("gives a missing metric or baseline nothing rather than full marks", () => {
    const r = scoreRun("pass", { utilization: 0.9 }, components, 100, {});
    expect(r.score).toBeCloseTo(60, 5);
  });

  it("gives full marks to a pass without components", () => {
    expect(scoreRun("pass", {}, undefined, 40).score).toBe(40);
  });

  it("keeps every fraction in [0, 1] and is monotone in the value", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (a, b, ref) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        for (const goal of ["min", "max"] as const) {
          const fl = componentFraction(goal, lo, ref);
          const fh = componentFraction(goal, hi, ref);
          expect(fl).toBeGreaterThanOrEqual(0);
          expect(fh).toBeLessThanOrEqual(1);
          if (goal === "max") expect(fh).toBeGreaterThanOrEqual(fl);
          else expect(fh).toBeLessThanOrEqual(fl);
        }
      }),
    );
  });
});
