/**
 * Attribution of plugin failures (STYLE: "every call into plugin code is
 * wrapped and attributed"). Whatever a plugin hook throws — an Error from any
 * realm, a string, a Proxy — becomes a `PluginFault` naming the plugin and the
 * hook; the replay then attaches the op, and the student reads
 * `my-first-fit.malloc threw TypeError: x is undefined at op 1234 (a 17 512)`.
 */
import { types } from "node:util";
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { Failure } from "../results";

/** Most stack lines kept in a fault (the plugin's own frames only). */
const MAX_STACK_LINES = 8;
/** Longest rendering of a thrown value or message. */
const MAX_TEXT = 300;

/** What a plugin threw, described with plain strings (safe to send across the boundary). */
export type PluginFaultData = {
  readonly plugin: string;
  readonly hook: string;
  /** `TypeError`, `RangeError`, ..., or `non-Error` for a thrown string, number, object. */
  readonly errorName: string;
  readonly errorMessage: string;
  /** Stack lines inside the plugin's own files, outermost last. */
  readonly stack: readonly string[];
  /** The op being replayed, once the replay attached it. */
  readonly op?: number;
  readonly opText?: string;
};

/** A plugin hook threw (code PLUGIN_THREW). */
export class PluginFault extends MemarenaError {
  declare readonly data: Readonly<PluginFaultData>;

  constructor(data: PluginFaultData, options?: { cause?: unknown }) {
    super(ErrorCode.PLUGIN_THREW, renderFault(data), { ...data }, options);
    this.name = "PluginFault";
  }

  /** This fault with the op index and op text attached (the first attachment wins). */
  atOp(op: number, opText: string): PluginFault {
    if (this.data.op !== undefined) return this;
    return new PluginFault({ ...this.data, op, opText }, { cause: this.cause });
  }

  /** The fault as a results-document failure. */
  toFailure(): Failure {
    return { ...(this.data.op !== undefined ? { op: this.data.op } : {}), check: ErrorCode.PLUGIN_THREW, message: this.message, data: { ...this.data } };
  }
}

/** `plugin.hook threw Name: message at op N (text)`. */
function renderFault(d: PluginFaultData): string {
  const what = d.errorName === "non-Error" ? `threw a non-Error value: ${d.errorMessage}` : `threw ${d.errorName}: ${d.errorMessage}`;
  const at = d.op !== undefined ? ` at op ${d.op}${d.opText !== undefined ? ` (${d.opText})` : ""}` : "";
  const hint = d.errorName === "RangeError" && /call stack size/i.test(d.errorMessage) ? " (unbounded recursion?)" : "";
  return `${d.plugin}.${d.hook} ${what}${hint}${at}`;
}

/** Maps a raw stack line (`at f (file:line:col)`) to the plugin's own source, or undefined to drop it. */
export type StackLineFilter = (line: string) => string | undefined;

let stackFilter: StackLineFilter = defaultStackFilter;

/** Installs how stack lines are kept and mapped (the sandbox maps bundle positions back to the student's files). */
export function setStackFilter(filter: StackLineFilter | undefined): void {
  stackFilter = filter ?? defaultStackFilter;
}

/** Outside the sandbox: drop Node internals and memarena's own frames. */
function defaultStackFilter(line: string): string | undefined {
  if (/\(node:|at node:|[\\/]node_modules[\\/]|[\\/](graders|core)[\\/]|[\\/]dist[\\/]/.test(line)) return undefined;
  return line;
}

/** True for V8's stack-overflow RangeError, from any realm. */
export function isStackOverflow(e: unknown): boolean {
  return types.isNativeError(e) && (e as Error).name === "RangeError" && /Maximum call stack size exceeded/.test(safeString((e as Error).message));
}

/** Converts what a plugin threw into a PluginFault; reading the value never throws. */
export function toPluginFault(plugin: string, hook: string, thrown: unknown): PluginFault {
  if (thrown instanceof PluginFault) return thrown;
  let errorName = "non-Error";
  let errorMessage: string;
  let stack: string[] = [];
  try {
    if (types.isNativeError(thrown) && !types.isProxy(thrown)) {
      const e = thrown as Error;
      errorName = clip(safeString(readData(e, "name") ?? "Error"));
      errorMessage = clip(safeString(readData(e, "message") ?? ""));
      stack = pluginStack(safeString(readData(e, "stack") ?? ""));
    } else {
      errorMessage = describeValue(thrown);
    }
  } catch {
    errorMessage = "(a value that could not be read)";
  }
  return new PluginFault({ plugin, hook, errorName, errorMessage, stack });
}

/**
 * Calls a plugin hook, turning any throw into a PluginFault for `plugin.hook`.
 * Faults raised by the machine on the plugin's behalf (MemarenaErrors other
 * than PLUGIN_THREW, e.g. PAGE_FAULT) pass through unchanged.
 */
export function callPlugin<A extends unknown[], R>(plugin: string, hook: string, fn: (...args: A) => R, ...args: A): R {
  try {
    return fn(...args);
  } catch (e) {
    if (e instanceof MemarenaError && !(e instanceof PluginFault)) throw e;
    throw toPluginFault(plugin, hook, e);
  }
}

/** Attaches the op to a PluginFault (other errors are returned unchanged). */
export function withOp(e: unknown, op: number, opText: string): unknown {
  return e instanceof PluginFault ? e.atOp(op, opText) : e;
}

/** Reads a data property along the prototype chain without running getters. */
function readData(o: object, key: string): unknown {
  for (let p: object | null = o, depth = 0; p !== null && depth < 16; p = Object.getPrototypeOf(p), depth++) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return "value" in d ? d.value : undefined;
  }
  return undefined;
}

function safeString(v: unknown): string {
  return typeof v === "string" ? v : describeValue(v);
}

/** A short, safe rendering of any thrown value: strings quoted, objects as JSON when possible. */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return clip(JSON.stringify(v));
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(v) + (typeof v === "bigint" ? "n" : "");
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      if (v === null) return "null";
      if (types.isProxy(v)) return "a Proxy";
      try {
        const json = JSON.stringify(v);
        return clip(json === undefined ? "an object" : json);
      } catch {
        return "an object";
      }
  }
}

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

function pluginStack(stack: string): string[] {
  const out: string[] = [];
  for (const raw of stack.split("\n").slice(1)) {
    const line = raw.trim();
    if (!line.startsWith("at ")) continue;
    const kept = stackFilter(line);
    if (kept !== undefined) out.push(kept);
    if (out.length >= MAX_STACK_LINES) break;
  }
  return out;
}
