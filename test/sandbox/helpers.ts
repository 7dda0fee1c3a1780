/** Shared by the sandbox tests: the stand-in child build and jobs made from fixture files. */
import path from "node:path";
import { bundlePlugin } from "../../graders/loader";
import type { PluginKind } from "../../core/sdk/types";
import type { BundledPlugin, RunJob } from "../../graders/protocol";
import { ensureChildBundle, PACKAGE_ROOT } from "../../graders/sandbox";

/** The fixture plugins folder. */
export const FIXTURES = path.join(PACKAGE_ROOT, "test", "fixtures", "plugins");

/** A child bundle whose replay is test/sandbox/stand-in-replay.ts (built when missing or stale). */
export function standInChild(): string {
  return ensureChildBundle({ outfile: path.join(PACKAGE_ROOT, "dist", "test", "sandbox-child.stand-in.js"), replay: path.join(__dirname, "stand-in-replay.ts") });
}

/** A fixture bundled as the loader does, but without the shape check (the sandbox must defend itself anyway). */
export function fixturePlugin(rel: string, kind: PluginKind = "allocator"): BundledPlugin {
  const { resolved, bundle } = bundlePlugin(path.join(FIXTURES, rel));
  return { name: resolved.fallbackName, kind, file: path.basename(rel), sha256: bundle.sha256, code: bundle.code };
}

/** A job for the stand-in replay. */
export function standInJob(plugin: BundledPlugin, standIn: { ops?: number; crash?: boolean } = {}): RunJob {
  return { challenge: { id: "stand-in", standIn } as unknown as RunJob["challenge"], plugin };
}
