#!/usr/bin/env node
/**
 * Builds the self-contained bundles memarena runs from:
 *   dist/sandbox-child.js  the sandbox child (graders/sandbox/child.ts + the replay + tsyringe),
 *                          one file, because the child may read that one file only;
 *   dist/cli.js            the CLI (graders/cli/main.ts), when that file exists;
 *   dist/bench/*.js        with --bench: bench/run.ts and every bench/*.bench.ts, so that
 *                          `npm run bench` measures the code as it ships (bundled, constants folded).
 * `memarena-replay` resolves to graders/replay/run-job.ts, or to a stub that
 * reports internal-error when that module does not exist yet; tests build a
 * variant with a stand-in replay (`buildChild({ replay, outfile })`).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const ROOT = path.resolve(__dirname, "..");
const CHILD_ENTRY = path.join(ROOT, "graders/sandbox/child.ts");
const REPLAY = path.join(ROOT, "graders/replay/run-job.ts");
const NO_REPLAY = path.join(ROOT, "graders/sandbox/no-replay.ts");
const DEFAULT_CHILD = path.join(ROOT, "dist/sandbox-child.js");

/** The SDK as CommonJS: evaluated inside each plugin realm, so `require("memarena")` hands out realm objects only. */
function sdkSource() {
  const r = esbuild.buildSync({
    entryPoints: [path.join(ROOT, "core/sdk/index.ts")],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "neutral",
    target: "es2022",
    logLevel: "silent",
  });
  return r.outputFiles[0].text;
}

/** Writes through a temporary file and a rename: concurrent builds never expose a torn bundle. */
function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Bundles the sandbox child. Returns { outfile, replay, inputs } (inputs: the
 * absolute source files, for staleness checks). Also writes `<outfile>.inputs.json`.
 */
function buildChild(options = {}) {
  const outfile = options.outfile ?? DEFAULT_CHILD;
  const replay = options.replay ?? (fs.existsSync(REPLAY) ? REPLAY : NO_REPLAY);
  const result = esbuild.buildSync({
    entryPoints: [CHILD_ENTRY],
    bundle: true,
    write: false,
    outfile,
    format: "cjs",
    platform: "node",
    target: "node20",
    // ESM builds first: UMD packages (jsonc-parser) hide their requires from the bundler.
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
    // The whole child is strict: a sloppy host frame would show through `fn.caller` and CallSite.getThis().
    banner: { js: '"use strict";' },
    // Folds constants across modules into literals: a counter index or access code on the access path
    // is then an immediate, not a load V8 cannot fold.
    minifySyntax: true,
    define: { __MEMARENA_SDK_CJS__: JSON.stringify(sdkSource()) },
    absWorkingDir: ROOT,
    // Plugins are not available to buildSync: aliases (relative to ROOT) inject the replay.
    alias: { "memarena-replay": `./${path.relative(ROOT, replay).split(path.sep).join("/")}`, memarena: "./core/sdk/index.ts" },
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(ROOT, p));
  writeAtomic(outfile, result.outputFiles.find((f) => f.path.endsWith(".js")).text);
  writeAtomic(`${outfile}.inputs.json`, JSON.stringify({ replay, inputs }, null, 1));
  return { outfile, replay, inputs };
}

/**
 * True when `outfile` is missing, older than one of its inputs, or was built
 * with the stub replay while graders/replay/run-job.ts now exists.
 */
function childIsStale(options = {}) {
  const outfile = options.outfile ?? DEFAULT_CHILD;
  let built;
  try {
    built = fs.statSync(outfile).mtimeMs;
  } catch {
    return true;
  }
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(`${outfile}.inputs.json`, "utf8"));
  } catch {
    return false; // an installed package ships the bundle without sources: trust it
  }
  const wantedReplay = options.replay ?? (fs.existsSync(REPLAY) ? REPLAY : NO_REPLAY);
  if (meta.replay !== wantedReplay) return true;
  for (const input of meta.inputs) {
    try {
      if (fs.statSync(input).mtimeMs > built) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Bundles one entry for Node; every package stays external (loaded from node_modules at run time). */
function bundleForNode(entry, file) {
  const outfile = path.join(ROOT, file);
  const result = esbuild.buildSync({
    // Constants imported from another module become literals (see buildChild).
    minifySyntax: true,
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    outfile,
    format: "cjs",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    packages: "external",
    banner: { js: '"use strict";' },
  });
  writeAtomic(outfile, result.outputFiles[0].text);
  return outfile;
}

/** Bundles the CLI when graders/cli/main.ts exists; returns the output path or undefined. */
function buildCli() {
  if (!fs.existsSync(path.join(ROOT, "graders/cli/main.ts"))) return undefined;
  return bundleForNode("graders/cli/main.ts", "dist/cli.js");
}

/**
 * Bundles what `require("memarena")` and `require("memarena/testing")` load in a
 * student's project (package.json "exports"): dist/sdk.js and dist/testing.js.
 */
function buildLibrary() {
  return [bundleForNode("core/sdk/index.ts", "dist/sdk.js"), bundleForNode("graders/testing/index.ts", "dist/testing.js")];
}

/** Bundles bench/run.ts and each bench/*.bench.ts into dist/bench/ (run.js requires the others by name). */
function buildBench() {
  const dir = path.join(ROOT, "bench");
  const entries = fs.readdirSync(dir).filter((f) => f === "run.ts" || f.endsWith(".bench.ts"));
  fs.rmSync(path.join(ROOT, "dist/bench"), { recursive: true, force: true });
  return entries.map((f) => bundleForNode(`bench/${f}`, `dist/bench/${f.replace(/\.ts$/, ".js")}`));
}

module.exports = { buildChild, buildCli, buildLibrary, buildBench, childIsStale, DEFAULT_CHILD, ROOT };

if (require.main === module) {
  const t0 = Date.now();
  try {
    const child = buildChild();
    const cli = buildCli();
    buildLibrary();
    if (process.argv.includes("--bench")) buildBench();
    const rel = (p) => path.relative(ROOT, p);
    console.log(`built ${rel(child.outfile)} (replay: ${rel(child.replay)})${cli ? ` and ${rel(cli)}` : ""} in ${Date.now() - t0} ms`);
  } catch (e) {
    for (const err of e.errors ?? []) {
      const loc = err.location ? `${err.location.file}:${err.location.line}:${err.location.column + 1}: ` : "";
      console.error(`${loc}${err.text}`);
    }
    if (!e.errors) console.error(e);
    process.exit(1);
  }
}
