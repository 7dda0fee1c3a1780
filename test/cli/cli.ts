/** Drives the real CLI (bin/memarena.js → dist/cli.js) as a user would. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(ROOT, "test/fixtures/cli");
const BIN = path.join(ROOT, "bin/memarena.js");

let built = false;
/** Builds dist/ once per test file (fast: esbuild). */
export function ensureBuilt(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/build.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  built = true;
}

/** The outcome of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `memarena <args>` in `cwd` (default: a fresh temp dir), not on a TTY, with CI set. */
export function memarena(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  ensureBuilt();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "1", NO_COLOR: "1", ...options.env },
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory. */
export function tempDir(prefix = "memarena-cli-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
