/** The built-in sanitizers load as a student's file would: bundled by the loader, shape-checked in the sandbox. */
import { loadPlugin } from "../../graders/loader";

describe("built-in sanitizers load through the plugin loader", () => {
  it.each([
    ["builtin:electric-fence", "electric-fence"],
    ["builtin:gwp-asan", "gwp-asan"],
    ["builtin:huge-page-guard", "huge-page-guard"],
    ["builtin:asan", "asan"],
    ["builtin:leak-checker", "leak-checker"],
  ])("%s is the sanitizer %s", (spec, name) => {
    const p = loadPlugin(spec, { kind: "sanitizer" });
    expect(p.name).toBe(name);
    expect(p.kind).toBe("sanitizer");
  });
});
