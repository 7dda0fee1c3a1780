/**
 * Maps positions in a plugin bundle back to the student's files, from the
 * inline source map the loader appends (esbuild `sourcemap: "inline"`). Only
 * what stack traces need: line/column lookup, no names.
 */

/** One mapped position: the source file and 1-based line and column. */
export interface SourcePosition {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

/** Looks up a 1-based generated line and column. */
export type SourceLookup = (line: number, column: number) => SourcePosition | undefined;

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

/** Parses the inline source map at the end of `code`; undefined when there is none or it is malformed. */
export function inlineSourceLookup(code: string): SourceLookup | undefined {
  const m = INLINE_MAP.exec(code.slice(-Math.min(code.length, 4_000_000)));
  if (m === null) return undefined;
  try {
    const map = JSON.parse(Buffer.from(m[1], "base64").toString("utf8")) as { sources?: unknown; mappings?: unknown };
    if (!Array.isArray(map.sources) || typeof map.mappings !== "string") return undefined;
    return buildLookup(map.sources.map(String), map.mappings);
  } catch {
    return undefined;
  }
}

/** Segments per generated line: [genCol, sourceIndex, srcLine, srcCol] flattened, sorted by genCol. */
function buildLookup(sources: readonly string[], mappings: string): SourceLookup {
  const lines: Int32Array[] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  let i = 0;
  for (const lineText of mappings.split(";")) {
    let genCol = 0;
    const segs: number[] = [];
    for (const seg of lineText.split(",")) {
      if (seg === "") continue;
      const fields: number[] = [];
      for (i = 0; i < seg.length; ) {
        let value = 0;
        let shift = 0;
        let digit: number;
        do {
          digit = B64_VALUE[seg.charCodeAt(i++)];
          value |= (digit & 31) << shift;
          shift += 5;
        } while (digit & 32);
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      }
      genCol += fields[0];
      if (fields.length >= 4) {
        src += fields[1];
        srcLine += fields[2];
        srcCol += fields[3];
        segs.push(genCol, src, srcLine, srcCol);
      }
    }
    lines.push(Int32Array.from(segs));
  }
  return (line, column) => {
    const segs = lines[line - 1];
    if (segs === undefined || segs.length === 0) return undefined;
    let best = -1;
    for (let k = 0; k < segs.length; k += 4) {
      if (segs[k] <= column - 1) best = k;
      else break;
    }
    if (best < 0) best = 0;
    const source = sources[segs[best + 1]];
    return source === undefined ? undefined : { source, line: segs[best + 2] + 1, column: segs[best + 3] + 1 };
  };
}
