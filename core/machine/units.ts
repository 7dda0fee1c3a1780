/** Sizes and addresses as they appear in machine descriptions and challenge files. */

const UNIT_FACTORS: Readonly<Record<string, number>> = {
  "": 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/;
const HEX_RE = /^\s*0x([0-9a-fA-F]+)\s*$/;

/** A size or address given as a number, `"4KiB"`, `"2MiB"`, `"1.5GiB"` or `"0x7f00"`. */
export type SizeLike = number | string;

/**
 * Parses a size or address; returns `undefined` when the text is not one
 * (callers turn that into an error that names the place in the file).
 */
export function tryParseSize(value: SizeLike): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  const hex = HEX_RE.exec(value);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const m = SIZE_RE.exec(value);
  if (!m) return undefined;
  const factor = UNIT_FACTORS[m[2] ?? ""];
  if (factor === undefined) return undefined;
  const n = Number(m[1]) * factor;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a size or address, throwing a `TypeError` naming `what` when it is not one. */
export function parseSize(value: SizeLike, what = "size"): number {
  const n = tryParseSize(value);
  if (n === undefined) {
    throw new TypeError(`${what}: expected a non-negative integer or a size such as "4KiB", got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Renders an address as `0x` hex. */
export function hex(addr: number): string {
  return addr < 0 ? `-0x${(-addr).toString(16)}` : `0x${addr.toString(16)}`;
}

/** log2 of a power of two, or -1 when `n` is not one. */
export function log2Exact(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) return -1;
  let shift = 0;
  let v = n;
  while (v > 1) {
    if (v % 2 !== 0) return -1;
    v /= 2;
    shift++;
  }
  return shift;
}
