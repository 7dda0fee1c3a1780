/**
 * Every error memarena raises on purpose is a `MemarenaError` with a stable
 * `code` and structured `data`; tests assert the code and the data, never the
 * rendered text. User mistakes (bad files, bad flags) are `userError: true`:
 * the CLI prints the message without a stack and exits with code 2.
 */

/** Stable error codes. Add here; never reuse or rename one. */
export const ErrorCode = {
  INVALID_MACHINE: "INVALID_MACHINE",
  INVALID_CHALLENGE: "INVALID_CHALLENGE",
  INVALID_TRACE: "INVALID_TRACE",
  INVALID_PLUGIN: "INVALID_PLUGIN",
  PLUGIN_NOT_FOUND: "PLUGIN_NOT_FOUND",
  PLUGIN_FORBIDDEN_IMPORT: "PLUGIN_FORBIDDEN_IMPORT",
  PLUGIN_COMPILE: "PLUGIN_COMPILE",
  PLUGIN_THREW: "PLUGIN_THREW",
  PAGE_FAULT: "PAGE_FAULT",
  PRIVILEGE_TRAP: "PRIVILEGE_TRAP",
  BOUNDS_TRAP: "BOUNDS_TRAP",
  UNSAFE_INTEGER: "UNSAFE_INTEGER",
  OUT_OF_FRAMES: "OUT_OF_FRAMES",
  /** A plugin returned something its contract forbids (e.g. a frame allocator handing out a live frame). */
  PLUGIN_CONTRACT: "PLUGIN_CONTRACT",
  /** The machine API was called with arguments it cannot honour (unknown pid, segment outside memory, ...). */
  MACHINE_MISUSE: "MACHINE_MISUSE",
  CHALLENGE_NOT_FOUND: "CHALLENGE_NOT_FOUND",
  USAGE: "USAGE",
  IO: "IO",
  INTERNAL: "INTERNAL",
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that describe a mistake by the person running memarena, not a bug. */
const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.INVALID_MACHINE,
  ErrorCode.INVALID_CHALLENGE,
  ErrorCode.INVALID_TRACE,
  ErrorCode.INVALID_PLUGIN,
  ErrorCode.PLUGIN_NOT_FOUND,
  ErrorCode.PLUGIN_FORBIDDEN_IMPORT,
  ErrorCode.PLUGIN_COMPILE,
  ErrorCode.CHALLENGE_NOT_FOUND,
  ErrorCode.USAGE,
  ErrorCode.IO,
]);

/** An error with a stable code and structured data. */
export class MemarenaError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Structured details: file, pointer, line, expected, found, op, ... */
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MemarenaError";
    this.code = code;
    this.data = data;
  }

  /** True for mistakes in the user's input: printed without a stack, exit code 2. */
  get userError(): boolean {
    return USER_ERROR_CODES.has(this.code);
  }
}

/** One problem found in a user's file: where it is, what was expected, what was found. */
export interface InputProblem {
  /** The file, as the user named it. */
  readonly file: string;
  /** JSON pointer (`/workload/ops/12/size`) or "" for the whole document. */
  readonly pointer: string;
  /** 1-based line, when it can be told. */
  readonly line?: number;
  /** 1-based column, when it can be told. */
  readonly column?: number;
  /** What the place should hold. */
  readonly expected: string;
  /** What it holds. */
  readonly found?: string;
}

/** Renders a problem as `file:line:col /pointer: expected ..., found ...`. */
export function formatProblem(p: InputProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ""}` : p.file;
  const pointer = p.pointer === "" ? "(document)" : p.pointer;
  const found = p.found !== undefined ? `, found ${p.found}` : "";
  return `${where} ${pointer}: ${p.expected}${found}`;
}

/** Builds the error for invalid user input of the given code, listing every problem. */
export function inputError(code: ErrorCode, problems: readonly InputProblem[]): MemarenaError {
  const lines = problems.map(formatProblem);
  return new MemarenaError(code, lines.join("\n"), { problems });
}

/** True when `e` is a MemarenaError with the given code. */
export function hasCode(e: unknown, code: ErrorCode): e is MemarenaError {
  return e instanceof MemarenaError && e.code === code;
}
