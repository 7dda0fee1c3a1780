/**
 * JSON text with positions: parse once with jsonc-parser, keep the tree, and
 * answer "which line and column is /workload/ops/12/size?" for messages.
 */
import { type Node, type ParseError, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from "jsonc-parser";
import type { InputProblem } from "../../core/errors";

/** A 1-based place in a text file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed JSON document that can place JSON pointers. */
export interface PositionedJson {
  /** The parsed value (undefined when the text had syntax errors). */
  readonly value: unknown;
  /** Syntax errors and duplicate keys, with positions. */
  readonly problems: InputProblem[];
  /** Where the value (or, with `key`, the property name) at a JSON pointer starts; the nearest existing ancestor otherwise. */
  locate(pointer: string, opts?: { key?: boolean }): Position | undefined;
}

/** Builds a function from character offsets to 1-based line and column. */
export function lineIndex(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/** Splits a JSON pointer into path segments (numbers for array indexes are left as strings; jsonc-parser accepts both). */
export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** Joins path segments into a JSON pointer. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Parses strict JSON (no comments, no trailing commas), reporting every syntax error with its line and column. */
export function parseJsonWithPositions(text: string, file: string): PositionedJson {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const at = lineIndex(text);
  const problems: InputProblem[] = errors.map((e) => ({
    file,
    pointer: "",
    ...at(e.offset),
    expected: `valid JSON (${syntaxWording(printParseErrorCode(e.error))})`,
    found: JSON.stringify(text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 20)))),
  }));
  if (root && errors.length === 0) findDuplicateKeys(root, [], file, at, problems);

  const locate = (pointer: string, opts?: { key?: boolean }): Position | undefined => {
    if (!root) return undefined;
    let segs = pointerSegments(pointer);
    for (;;) {
      const node = findNodeAtLocation(root, segs);
      if (node) {
        const keyNode = opts?.key && node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
        return at((keyNode ?? node).offset);
      }
      if (segs.length === 0) return undefined;
      segs = segs.slice(0, -1);
    }
  };
  return { value: root && errors.length === 0 ? getNodeValue(root) : undefined, problems, locate };
}

function syntaxWording(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "malformed number",
    PropertyNameExpected: "a property name in double quotes",
    ValueExpected: "a value",
    ColonExpected: "':'",
    CommaExpected: "',' between items",
    CloseBraceExpected: "'}'",
    CloseBracketExpected: "']'",
    EndOfFileExpected: "end of file after the value",
    InvalidCommentToken: "no comments in JSON",
    UnexpectedEndOfComment: "end of comment",
    UnexpectedEndOfString: "a closing '\"'",
    UnexpectedEndOfNumber: "digits",
    InvalidUnicode: "a valid \\u escape",
    InvalidEscapeCharacter: "a valid escape",
    InvalidCharacter: "a valid character in the string",
  };
  return `expected ${words[code] ?? code}`;
}

function findDuplicateKeys(
  node: Node,
  path: (string | number)[],
  file: string,
  at: (offset: number) => Position,
  out: InputProblem[],
): void {
  if (node.type === "object") {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const keyNode = prop.children?.[0];
      const valueNode = prop.children?.[1];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (seen.has(key)) {
        out.push({ file, pointer: toPointer([...path, key]), ...at(keyNode.offset), expected: `property "${key}" only once`, found: "a second definition" });
      }
      seen.add(key);
      if (valueNode) findDuplicateKeys(valueNode, [...path, key], file, at, out);
    }
  } else if (node.type === "array") {
    (node.children ?? []).forEach((child, i) => findDuplicateKeys(child, [...path, i], file, at, out));
  }
}
