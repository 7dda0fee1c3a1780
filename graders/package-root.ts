/** Where memarena is installed: the nearest folder above this module with memarena's package.json (works from the sources and from dist/). */
import fs from "node:fs";
import path from "node:path";

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "memarena") return dir;
    } catch {
      /* keep looking */
    }
    if (path.dirname(dir) === dir) return path.resolve(from, "..", "..");
  }
}

/** The package root. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);
