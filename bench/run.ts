/**
 * `npm run bench`: runs every bench/*.bench.ts module's `run()` and prints
 * its figures. Benchmarks print measurements; they are not timed tests and
 * never fail on a slow machine. They run bundled (scripts/build.js --bench
 * writes dist/bench/*.js), as the grader's own code runs, so that what is
 * measured is what ships.
 */
import "reflect-metadata";
import * as fs from "node:fs";
import * as path from "node:path";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /\.bench\.[jt]s$/.test(f))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, f)) as { run: () => Promise<Record<string, number>> };
    const started = Date.now();
    const figures = await mod.run();
    process.stdout.write(`\n${f} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) {
      const shown = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(4)).toString();
      process.stdout.write(`  ${k.padEnd(width)}  ${shown}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
