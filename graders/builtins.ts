/**
 * The built-in reference plugins: every file under plugins/<kind>/ with a
 * default export. Shared helper modules sit beside them, without one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PluginKind } from "../core/sdk/types";
import { builtinNames } from "./loader/resolve";
import { PACKAGE_ROOT } from "./package-root";

export { PACKAGE_ROOT };

/** Folder of each plugin kind under plugins/. */
export const KIND_FOLDERS: Readonly<Record<PluginKind, string>> = {
  allocator: "allocators",
  sanitizer: "sanitizers",
  placement: "placement",
  "frame-allocator": "frames",
};

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
  const names = builtinNames();
  for (const [kind, folder] of Object.entries(KIND_FOLDERS) as [PluginKind, string][]) {
    const dir = path.join(PACKAGE_ROOT, "plugins", folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of names[folder] ?? []) out.push({ spec: `builtin:${name}`, kind, file: path.join(dir, `${name}.ts`) });
  }
  return out;
}
