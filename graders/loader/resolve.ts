/**
 * From what the user typed to a file: a `.ts`/`.js` file, a folder with a
 * package.json (its `main`), or `builtin:<name>` (a file in plugins/<kind>/).
 */
import fs from "node:fs";
import path from "node:path";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { PACKAGE_ROOT } from "../sandbox/child-bundle";

/** A resolved plugin source. */
export interface ResolvedSpec {
  /** The spec as the user wrote it (reported back as `file`). */
  readonly spec: string;
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** The folder the plugin's imports must stay inside. */
  readonly root: string;
  /** The name used when the default export has none: the file (or package) name without extension. */
  readonly fallbackName: string;
}

/** Folders searched for `builtin:<name>`, in order. */
export const BUILTIN_FOLDERS = ["allocators", "placement", "frames", "sanitizers"] as const;

const SOURCE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

function notFound(spec: string, why: string, data: Record<string, unknown> = {}): MemarenaError {
  return new MemarenaError(ErrorCode.PLUGIN_NOT_FOUND, `${spec}: ${why}`, { spec, ...data });
}

/** The names of all built-in plugins, by folder. */
/** A plugin file has a default export; the helper modules beside the built-ins have none. */
export function isPluginFile(file: string): boolean {
  return /^export\s+default\s/m.test(fs.readFileSync(file, "utf8"));
}

/** The built-in plugin names in each plugins/ folder. */
export function builtinNames(pluginsDir = path.join(PACKAGE_ROOT, "plugins")): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const folder of BUILTIN_FOLDERS) {
    try {
      out[folder] = fs
        .readdirSync(path.join(pluginsDir, folder))
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts") && isPluginFile(path.join(pluginsDir, folder, f)))
        .map((f) => f.slice(0, -3))
        .sort();
    } catch {
      out[folder] = [];
    }
  }
  return out;
}

/** Resolves a plugin spec relative to `cwd`. Throws PLUGIN_NOT_FOUND (or INTERNAL for a name in two builtin folders). */
export function resolveSpec(spec: string, cwd: string = process.cwd(), pluginsDir = path.join(PACKAGE_ROOT, "plugins")): ResolvedSpec {
  if (spec.startsWith("builtin:")) {
    const name = spec.slice("builtin:".length);
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw notFound(spec, "a built-in plugin name is letters, digits, dots, dashes and underscores");
    const hits = BUILTIN_FOLDERS.map((folder) => path.join(pluginsDir, folder, `${name}.ts`)).filter((f) => fs.existsSync(f) && isPluginFile(f));
    if (hits.length > 1) {
      throw new MemarenaError(ErrorCode.INTERNAL, `${spec}: the built-in name exists in more than one folder: ${hits.map((h) => path.relative(pluginsDir, h)).join(", ")}`, { spec, files: hits });
    }
    if (hits.length === 0) {
      const available = Object.values(builtinNames(pluginsDir)).flat().sort();
      throw notFound(spec, `no built-in plugin named "${name}" (available: ${available.join(", ") || "none"})`, { available });
    }
    return { spec, entry: hits[0], root: pluginsDir, fallbackName: name };
  }
  const abs = path.resolve(cwd, spec);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw notFound(spec, "no such file or folder");
  }
  if (stat.isDirectory()) {
    const pkgFile = path.join(abs, "package.json");
    let pkg: { name?: unknown; main?: unknown };
    try {
      pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { name?: unknown; main?: unknown };
    } catch (e) {
      throw notFound(spec, fs.existsSync(pkgFile) ? `package.json is not valid JSON (${(e as Error).message})` : "a plugin folder needs a package.json whose \"main\" names the plugin file");
    }
    const main = typeof pkg.main === "string" ? pkg.main : "index";
    const base = path.resolve(abs, main);
    const candidates = [base, ...SOURCE_EXTENSIONS.map((x) => base + x), ...SOURCE_EXTENSIONS.map((x) => path.join(base, `index${x}`))];
    const entry = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (entry === undefined) throw notFound(spec, `package.json "main" (${JSON.stringify(main)}) names no file`);
    const fallbackName = typeof pkg.name === "string" && pkg.name !== "" ? pkg.name : path.basename(abs);
    return { spec, entry, root: abs, fallbackName };
  }
  if (!SOURCE_EXTENSIONS.includes(path.extname(abs))) throw notFound(spec, `a plugin is a ${SOURCE_EXTENSIONS.join(" / ")} file or a folder with a package.json`);
  return { spec, entry: abs, root: path.dirname(abs), fallbackName: path.basename(abs, path.extname(abs)) };
}
