/**
 * Turning what went wrong inside a run into a Failure the student can act
 * on: the op index, the op as text, the plugin and hook, what was expected.
 */
import { MemarenaError } from "../../core/errors";
import type { Failure, Verdict } from "../results";
import { PluginFault } from "../sandbox/guard";

/** Ends a replay with a verdict and a failure (thrown inside the replay loop, caught by runJob). */
export class RunStop extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly failure: Failure,
  ) {
    super(failure.message);
    this.name = "RunStop";
  }
}

/** Marks an error raised by memarena's own code while a plugin was running. */
export class InternalFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalFault";
  }
}

/** Describes a thrown value without trusting it (it may be anything, even a Proxy). */
export function describeThrown(e: unknown): { name: string; message: string } {
  try {
    if (e instanceof MemarenaError) return { name: e.code, message: e.message };
    if (e !== null && typeof e === "object") {
      const name = String((e as { name?: unknown }).name ?? "Error");
      const message = String((e as { message?: unknown }).message ?? "");
      return { name, message };
    }
    return { name: typeof e, message: JSON.stringify(e) ?? String(e) };
  } catch {
    return { name: "unknown", message: "(a value that could not be described)" };
  }
}

/** Context of one plugin call: who, which hook, which op. */
export interface CallSite {
  readonly plugin: string;
  readonly hook: string;
  readonly op: number;
  readonly opText: string;
}

/**
 * Classifies what a plugin call threw. Faults from the heap facade are the
 * plugin's bad accesses (verdict error, code PAGE_FAULT); anything else the
 * plugin threw is PLUGIN_THREW. Internal faults are re-thrown: they are
 * memarena's bugs and must never become the student's verdict.
 */
export function pluginFailure(e: unknown, site: CallSite): RunStop {
  if (e instanceof InternalFault) throw e;
  const where = `at op ${site.op} (${site.opText})`;
  // Inside the sandbox, the realm has already attributed the throw to the plugin and hook.
  if (e instanceof PluginFault) {
    const cause = e.cause;
    if (cause instanceof MemarenaError && cause.code !== "PLUGIN_THREW") return pluginFailure(cause, site);
    return new RunStop("error", e.atOp(site.op, site.opText).toFailure());
  }
  if (e instanceof MemarenaError) {
    return new RunStop("error", {
      op: site.op,
      check: e.code,
      message: `${site.plugin}.${site.hook}: ${e.message} ${where}`,
      data: { ...e.data, hook: site.hook, opText: site.opText },
    });
  }
  const { name, message } = describeThrown(e);
  const isStack = name === "RangeError" && /call stack/i.test(message);
  return new RunStop("error", {
    op: site.op,
    check: "PLUGIN_THREW",
    message: `${site.plugin}.${site.hook} threw ${name}${message ? `: ${message}` : ""} ${where}${isStack ? " (unbounded recursion?)" : ""}`,
    data: { hook: site.hook, opText: site.opText, errorName: name },
  });
}
