/** loadPlugin: resolution, in-memory bundling, refusals, the sandboxed shape check, caching. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { bundlePlugin, clearLoaderCache, hashInputs, loadPlugin } from "../../graders/loader";
import { PACKAGE_ROOT } from "../../graders/sandbox";

const FIX = path.join(PACKAGE_ROOT, "test", "fixtures", "plugins");
const fx = (rel: string): string => path.join(FIX, rel);

function thrown(fn: () => unknown): MemarenaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MemarenaError);
    return e as MemarenaError;
  }
  throw new Error("expected a MemarenaError");
}

describe("loadPlugin", () => {
  it("loads a built-in by name, bundled with memarena as its only import", () => {
    const p = loadPlugin("builtin:first-fit");
    expect(p).toMatchObject({ kind: "allocator", file: "builtin:first-fit", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(typeof p.name).toBe("string");
    expect(p.code).toContain('require("memarena")');
    expect(p.code).not.toMatch(/^\s*import\s/m);
  });

  it("an unknown built-in is PLUGIN_NOT_FOUND listing what exists", () => {
    const e = thrown(() => loadPlugin("builtin:no-such-thing"));
    expect(e.code).toBe(ErrorCode.PLUGIN_NOT_FOUND);
    expect(e.data.available).toContain("first-fit");
    // Helper modules beside the built-ins (no default export) are not plugins.
    expect(e.data.available).not.toContain("implicit-list");
    expect(thrown(() => loadPlugin("builtin:implicit-list")).code).toBe(ErrorCode.PLUGIN_NOT_FOUND);
    expect(thrown(() => loadPlugin(fx("missing.ts"))).code).toBe(ErrorCode.PLUGIN_NOT_FOUND);
    expect(thrown(() => loadPlugin(fx("hidden/secret-challenge.json"))).code).toBe(ErrorCode.PLUGIN_NOT_FOUND);
  });

  it("bundles relative imports; sha256 frames each input by path and length", () => {
    const p = loadPlugin(fx("good/bump.ts"));
    expect(p).toMatchObject({ name: "bump", kind: "allocator", file: fx("good/bump.ts") });
    expect(p.code).toContain("alignUp");
    const h = createHash("sha256");
    for (const rel of ["bump.ts", "lib/align.ts"]) {
      const content = fs.readFileSync(path.join(FIX, "good", rel));
      h.update(`${rel}\0${content.length}\0`);
      h.update(content);
    }
    expect(p.sha256).toBe(h.digest("hex"));
  });

  it.each([
    ["good/plain-placement.js", "plain-first-hole", "placement"],
    ["good/frames.ts", "plain-frames", "frame-allocator"],
    ["good/sanitizer.ts", "pass-through", "sanitizer"],
    ["good/class-based.ts", "class-bump", "allocator"],
    ["pkg-plugin", "pkg-alloc", "allocator"],
  ])("%s -> name %s, kind %s (explicit tag or shape)", (rel, name, kind) => {
    expect(loadPlugin(fx(rel))).toMatchObject({ name, kind });
  });

  it("resolves relative specs from opts.cwd", () => {
    expect(loadPlugin("bump.ts", { cwd: fx("good") }).name).toBe("bump");
  });

  it.each([
    ["bad/imports-fs.ts", "imports-fs.ts", 3, "fs", /Node's built-in modules/],
    ["bad/imports-node-net.ts", "imports-node-net.ts", 4, "node:net", /Node's built-in modules/],
    ["bad/requires-cp.js", "requires-cp.js", 2, "child_process", /Node's built-in modules/],
    ["bad/imports-package.ts", "imports-package.ts", 3, "left-pad", /packages are not available/],
    ["bad/dynamic-import.ts", "dynamic-import.ts", 3, "os", /Node's built-in modules/],
    ["bad/smuggle-hidden.ts", "smuggle-hidden.ts", 3, "../hidden/secret-challenge.json", /outside the plugin's folder/],
  ])("%s is PLUGIN_FORBIDDEN_IMPORT naming file, line and module", (rel, file, line, module, why) => {
    const e = thrown(() => loadPlugin(fx(rel)));
    expect(e.code).toBe(ErrorCode.PLUGIN_FORBIDDEN_IMPORT);
    expect(e.data).toMatchObject({ file, line, module });
    expect(e.message).toMatch(new RegExp(`^${file.replace(".", "\\.")}:${line}:\\d+: imports "${module.replace(/[.]/g, "\\.")}": `));
    expect(e.message).toMatch(why);
  });

  it("a syntax error is PLUGIN_COMPILE with file:line:col", () => {
    const e = thrown(() => loadPlugin(fx("bad/syntax.js")));
    expect(e.code).toBe(ErrorCode.PLUGIN_COMPILE);
    expect(e.data).toMatchObject({ file: "syntax.js", line: 5 });
    expect(e.message).toMatch(/^syntax\.js:5:\d+: /);
  });

  it.each([
    ["bad/no-malloc.ts", /no-malloc\.ts: default export has no function "malloc" \(kind "allocator"\)/],
    ["bad/no-create.ts", /no-create\.ts: default export has no function "create" \(kind "allocator"\)/],
    ["bad/no-default.ts", /no-default\.ts: no default export/],
    ["bad/unknown-shape.ts", /unknown-shape\.ts: cannot tell the plugin's kind/],
  ])("%s is INVALID_PLUGIN (checked in the sandbox)", (rel, message) => {
    const e = thrown(() => loadPlugin(fx(rel)));
    expect(e.code).toBe(ErrorCode.INVALID_PLUGIN);
    expect((e.data.problems as string[]).join("\n")).toMatch(message);
  });

  it("a module that throws while loading is PLUGIN_THREW with the student's stack", () => {
    const e = thrown(() => loadPlugin(fx("bad/throws-at-load.ts")));
    expect(e.code).toBe(ErrorCode.PLUGIN_THREW);
    expect(e.data).toMatchObject({ hook: "load", errorName: "TypeError", errorMessage: "broken at load" });
    expect((e.data.stack as string[])[0]).toMatch(/^at boom \(throws-at-load\.ts:3:\d+\)$/);
  });

  it("a module that never finishes loading is INVALID_PLUGIN, and the grader process is not stuck", () => {
    const t0 = Date.now();
    const e = thrown(() => loadPlugin(fx("hostile/loop-at-load.ts"), { inspectLimits: { timeMs: 1000, memoryMb: 64 } }));
    expect(e.code).toBe(ErrorCode.INVALID_PLUGIN);
    expect(e.data.reason).toBe("timeout");
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it("a plugin of another kind than required is INVALID_PLUGIN", () => {
    const e = thrown(() => loadPlugin(fx("good/bump.ts"), { kind: "placement" }));
    expect(e.code).toBe(ErrorCode.INVALID_PLUGIN);
    expect(e.data).toMatchObject({ kind: "allocator", expected: "placement" });
  });

  it("evaluates nothing in the grader process", () => {
    (globalThis as Record<string, unknown>).memarenaPolluted = undefined;
    loadPlugin(fx("hostile/mutate-globals.ts"));
    expect((globalThis as Record<string, unknown>).memarenaPolluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("loader cache", () => {
  let dir: string;
  beforeEach(() => {
    clearLoaderCache();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-loader-"));
    fs.cpSync(path.join(FIX, "good"), dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a second load takes under 50 ms and gives the same plugin", () => {
    const first = loadPlugin(path.join(dir, "bump.ts"));
    const t0 = process.hrtime.bigint();
    const second = loadPlugin(path.join(dir, "bump.ts"));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(second).toEqual(first);
    expect(ms).toBeLessThan(50);
  });

  it("an edited input is bundled again (new sha256)", () => {
    const first = loadPlugin(path.join(dir, "bump.ts"));
    fs.appendFileSync(path.join(dir, "lib", "align.ts"), "\nexport const edited = 1;\n");
    const second = loadPlugin(path.join(dir, "bump.ts"));
    expect(second.sha256).not.toBe(first.sha256);
    expect(second.name).toBe("bump");
  });

  it("the hash does not depend on where the folder is", () => {
    const a = bundlePlugin(path.join(dir, "bump.ts")).bundle.sha256;
    expect(a).toBe(hashInputs(path.join(FIX, "good"), [path.join(FIX, "good", "bump.ts"), path.join(FIX, "good", "lib", "align.ts")]));
  });
});
