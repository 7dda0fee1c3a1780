/**
 * The built-in reference plugins: every file under plugins/<kind>/ with a
 * default export. Shared helper modules sit beside them, without one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PluginKind } from "../core/sdk/types";

/** The repository root (where package.json is), from the source tree or from dist/. */
export const PACKAGE_ROOT: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
})();

/** Folder of each plugin kind under plugins/. */
export const KIND_FOLDERS: Readonly<Record<PluginKind, string>> = {
  allocator: "allocators",
  sanitizer: "sanitizers",
  placement: "placement",
  "frame-allocator": "frames",
};

/** A plugin file has a default export; helper modules beside it have none. */
const DEFAULT_EXPORT_RE = /^export\s+default\s/m;

/** A built-in plugin's spec and file. */
export interface BuiltinPlugin {
  /** `builtin:<file name without .ts>` */
  readonly spec: string;
  readonly kind: PluginKind;
  readonly file: string;
}

/** Every built-in plugin, by kind then name. */
export function listBuiltinPlugins(): BuiltinPlugin[] {
  const out: BuiltinPlugin[] = [];
  for (const [kind, folder] of Object.entries(KIND_FOLDERS) as [PluginKind, string][]) {
    const dir = path.join(PACKAGE_ROOT, "plugins", folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith(".ts")) continue;
      const file = path.join(dir, name);
      if (DEFAULT_EXPORT_RE.test(fs.readFileSync(file, "utf8"))) out.push({ spec: `builtin:${name.slice(0, -3)}`, kind, file });
    }
  }
  return out;
}
