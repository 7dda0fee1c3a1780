/**
 * Bundling a plugin in memory with esbuild: one CommonJS string in which
 * `require("memarena")` is the only import left. Bare imports (packages and
 * Node's built-ins) are refused with PLUGIN_FORBIDDEN_IMPORT naming the file,
 * the line and the module; so are files outside the plugin's folder (which
 * would smuggle, say, a hidden challenge into the bundle). Syntax errors are
 * PLUGIN_COMPILE with file:line:col.
 *
 * esbuild's synchronous API takes no plugins, so the refusal works from the
 * metafile: every bare import is made external (`packages: "external"`), and
 * any external other than `memarena`, and any input outside the root, is
 * refused after the build, before anything is returned.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { buildSync, type BuildFailure, type Message, type Metafile } from "esbuild";
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { ResolvedSpec } from "./resolve";
import { PACKAGE_ROOT } from "../builtins";

/**
 * memarena's own code a plugin may import besides its own folder's files (real
 * paths): the built-in plugins, and the pack's shared reference submissions.
 */
const TRUSTED_DIRS = [path.join(PACKAGE_ROOT, "plugins"), path.join(PACKAGE_ROOT, "challenges", "pack", "_shared")].map((dir) => {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
});

/** A bundled plugin before its shape is known. */
export interface PluginBundle {
  /** CommonJS code with an inline source map (sources relative to the plugin's folder). */
  readonly code: string;
  /** sha256 of the input files (see `hashInputs`). */
  readonly sha256: string;
  /** Absolute paths of the input files. */
  readonly inputs: readonly string[];
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isBuiltin(spec: string): boolean {
  return BUILTINS.has(spec) || spec.startsWith("node:") || BUILTINS.has(spec.split("/")[0]);
}

/**
 * sha256 over the input files sorted by their path relative to the plugin's
 * folder, each framed as `path NUL byteLength NUL content`, so two different
 * sets of files never hash alike and moving the folder changes nothing.
 */
export function hashInputs(root: string, inputs: readonly string[]): string {
  const h = createHash("sha256");
  const entries = inputs.map((abs) => ({ rel: path.relative(root, abs).split(path.sep).join("/"), abs })).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const { rel, abs } of entries) {
    const content = fs.readFileSync(abs);
    h.update(`${rel}\0${content.length}\0`);
    h.update(content);
  }
  return h.digest("hex");
}

/** 1-based line and column of the first import of `spec` in `file` (for messages), when found. */
export function findImport(file: string, spec: string): { line: number; column: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const quoted = [`"${spec}"`, `'${spec}'`, `\`${spec}\``];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    for (const q of quoted) {
      const col = lines[i].indexOf(q);
      if (col >= 0) return { line: i + 1, column: col + 1 };
    }
  }
  return undefined;
}

function forbidden(displayFile: string, where: { line: number; column: number } | undefined, module: string, why: string): MemarenaError {
  const loc = where !== undefined ? `:${where.line}:${where.column}` : "";
  return new MemarenaError(ErrorCode.PLUGIN_FORBIDDEN_IMPORT, `${displayFile}${loc}: imports "${module}": ${why}`, { file: displayFile, line: where?.line, column: where?.column, module });
}

const ONLY = `a plugin may import only "memarena" and its own relative files`;

function whyForbidden(module: string): string {
  return isBuiltin(module) ? `Node's built-in modules are not available to plugins (${ONLY})` : `packages are not available to plugins (${ONLY})`;
}

function compileError(resolved: ResolvedSpec, errors: readonly Message[]): MemarenaError {
  const problems = errors.map((m) => {
    const loc = m.location;
    return { file: loc?.file ?? path.basename(resolved.entry), line: loc?.line, column: loc !== null && loc !== undefined ? loc.column + 1 : undefined, text: m.text };
  });
  const lines = problems.map((p) => `${p.file}${p.line !== undefined ? `:${p.line}:${p.column}` : ""}: ${p.text}`);
  return new MemarenaError(ErrorCode.PLUGIN_COMPILE, lines.join("\n"), { file: problems[0]?.file, line: problems[0]?.line, column: problems[0]?.column, problems });
}

/** Bundles a resolved plugin. Throws PLUGIN_FORBIDDEN_IMPORT or PLUGIN_COMPILE. */
export function bundleResolved(resolved: ResolvedSpec): PluginBundle {
  const { root, entry } = resolved;
  let result: ReturnType<typeof buildSync>;
  try {
    result = buildSync({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      write: false,
      outfile: path.join(root, "__memarena_bundle__.js"),
      format: "cjs",
      platform: "neutral",
      target: "es2022",
      packages: "external",
      metafile: true,
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      resolveExtensions: [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"],
      // The root's tsconfig could carry `paths` aliases reaching outside; plugins are compiled as plain TS.
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    });
  } catch (e) {
    const failure = e as BuildFailure;
    if (!Array.isArray(failure.errors)) throw e;
    const unresolved = failure.errors.find((m) => /^Could not resolve "/.test(m.text));
    if (unresolved !== undefined) {
      const module = /^Could not resolve "([^"]+)"/.exec(unresolved.text)![1];
      if (!module.startsWith(".") && !module.startsWith("/")) {
        const loc = unresolved.location;
        throw forbidden(loc?.file ?? path.basename(entry), loc ? { line: loc.line, column: loc.column + 1 } : undefined, module, whyForbidden(module));
      }
    }
    throw compileError(resolved, failure.errors);
  }
  const meta = result.metafile as Metafile;
  const realRoot = fs.realpathSync(root);
  for (const [input, info] of Object.entries(meta.inputs)) {
    const display = input;
    for (const imp of info.imports) {
      if (imp.external && imp.path !== "memarena") {
        const module = imp.original ?? imp.path;
        throw forbidden(display, findImport(path.resolve(root, input), module), module, whyForbidden(module));
      }
    }
    const abs = path.resolve(root, input);
    const real = fs.realpathSync(abs);
    // The built-in plugins and shared references are memarena's own code: a challenge's reference may re-export one.
    const trusted = TRUSTED_DIRS.some((dir) => real.startsWith(dir + path.sep));
    if (real !== realRoot && !real.startsWith(realRoot + path.sep) && !trusted) {
      const importer = Object.entries(meta.inputs).find(([, i]) => i.imports.some((x) => x.path === input));
      const module = importer?.[1].imports.find((x) => x.path === input)?.original ?? input;
      const importerFile = importer?.[0] ?? path.basename(entry);
      throw forbidden(importerFile, findImport(path.resolve(root, importerFile), module), module, `the file is outside the plugin's folder (${ONLY})`);
    }
  }
  const inputs = Object.keys(meta.inputs).map((p) => path.resolve(root, p));
  const js = result.outputFiles?.find((f) => f.path.endsWith(".js"));
  if (js === undefined) throw new MemarenaError(ErrorCode.INTERNAL, `${resolved.spec}: esbuild produced no JavaScript`);
  return { code: js.text, sha256: hashInputs(root, inputs), inputs };
}
