import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBuilt, FIXTURES, memarena, ROOT, tempDir } from "./cli";

const small = path.join(FIXTURES, "challenges", "small.json");
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, "plugins", name), "utf8");

/** Starts `memarena run ... --watch`; `until(re)` waits for stdout + stderr to match `re` (counting from the start). */
function startWatch(args: string[]) {
  ensureBuilt();
  const child = spawn(process.execPath, [path.join(ROOT, "bin/memarena.js"), ...args], { env: { ...process.env, CI: "1", NO_COLOR: "1" } });
  let text = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const feed = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const w of waiters.splice(0)) {
      if (w.re.test(text)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout.on("data", feed);
  child.stderr.on("data", feed);
  const until = (re: RegExp, ms = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${text}`)), ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (re.test(text)) done();
      else waiters.push({ re, resolve: done });
    });
  return { child, until, text: () => text };
}

describe("memarena run --watch (end to end)", () => {
  it("runs, then again on every save: a new verdict, a compile error that keeps the watch, a fix", async () => {
    const dir = tempDir();
    const file = path.join(dir, "alloc.ts");
    fs.writeFileSync(file, fixture("bump.ts"));
    const w = startWatch(["run", small, "--plugin", file, "--watch"]);
    try {
      await w.until(/cli\/small +pass[\s\S]*Watching 1 file of .*alloc\.ts/);
      fs.writeFileSync(file, fixture("overlap.ts"));
      await w.until(/change seen: run 2[\s\S]*FAIL cli\/small: overlap at op 1[\s\S]*Watching/);
      fs.writeFileSync(file, "export default {\n  this is not TypeScript (\n");
      await w.until(/change seen: run 3[\s\S]*memarena: alloc\.ts:2:\d+: [\s\S]*Watching/);
      fs.writeFileSync(file, fixture("bump.ts"));
      await w.until(/change seen: run 4[\s\S]*cli\/small +pass/);
      expect(w.child.exitCode).toBeNull();
    } finally {
      w.child.kill("SIGINT");
    }
  }, 120_000);

  it("refuses to watch a built-in (exit 2, no stack)", () => {
    const r = memarena(["run", small, "--plugin", "builtin:first-fit", "--watch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--watch: name your plugin file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
