/**
 * Where the sandbox child bundle lives, and building it when it is missing
 * or stale (a development tree; an installed package ships it built).
 */
import fs from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../package-root";

export { PACKAGE_ROOT };

/** The production child bundle. */
export const DEFAULT_CHILD_BUNDLE = path.join(PACKAGE_ROOT, "dist", "sandbox-child.js");

interface BuildScript {
  buildChild(options?: { outfile?: string; replay?: string }): { outfile: string };
  childIsStale(options?: { outfile?: string; replay?: string }): boolean;
}

const checked = new Set<string>();

/**
 * Returns the absolute path of a child bundle, (re)building it first when it
 * is missing or older than its sources. `replay` swaps the replay module (tests).
 * Checked once per process and bundle.
 */
export function ensureChildBundle(options: { outfile?: string; replay?: string } = {}): string {
  const outfile = path.resolve(options.outfile ?? DEFAULT_CHILD_BUNDLE);
  if (checked.has(outfile)) return outfile;
  const script = path.join(PACKAGE_ROOT, "scripts", "build.js");
  if (fs.existsSync(script)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const build = require(script) as BuildScript;
    const opts = { outfile, ...(options.replay !== undefined ? { replay: path.resolve(options.replay) } : {}) };
    if (build.childIsStale(opts)) build.buildChild(opts);
  } else if (!fs.existsSync(outfile)) {
    throw new Error(`the sandbox child bundle ${outfile} is missing; run \`npm run build\``);
  }
  checked.add(outfile);
  return outfile;
}
