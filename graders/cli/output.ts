/**
 * How the CLI talks: colors only on a TTY without NO_COLOR, a progress bar
 * only on a TTY outside CI, and errors that are the user's printed as one
 * clear message (no stack) with exit code 2.
 */
import { MemarenaError } from "../../core/errors";

/** Exit codes (DESIGN.md §7). */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

/** Whether to color a stream's output. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Whether to draw an interactive progress bar. */
export function interactive(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.CI;
}

/**
 * Prints an error and returns the exit code: user errors without a stack
 * (exit 2); anything else is memarena's own bug (exit 3, stack shown).
 */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof MemarenaError && e.userError) {
    stderr.write(`memarena: ${e.message}\n`);
    return EXIT.usage;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  stderr.write(`memarena: internal error — this is a bug in memarena, not in your input:\n${err.stack ?? err.message}\n`);
  return EXIT.internal;
}
