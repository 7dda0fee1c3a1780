/**
 * Which challenges a command works on: folders, files, ids or topics named on
 * the command line, or the whole built-in pack.
 */
import * as fs from "node:fs";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { BUILTIN_PACK_DIR, discoverChallenges, type LoadedChallenge } from "../challenge/load";

/** Resolves `-c` values: a path loads that file or folder; anything else is an id or an id prefix (a topic) in the built-in pack. */
export function selectChallenges(values: readonly string[] | undefined): LoadedChallenge[] {
  if (!values || values.length === 0) return discoverChallenges(BUILTIN_PACK_DIR);
  const out = new Map<string, LoadedChallenge>();
  let pack: LoadedChallenge[] | undefined;
  for (const v of values) {
    if (fs.existsSync(v)) {
      for (const c of discoverChallenges(v)) out.set(c.challenge.id, c);
      continue;
    }
    pack ??= fs.existsSync(BUILTIN_PACK_DIR) ? discoverChallenges(BUILTIN_PACK_DIR) : [];
    const matches = pack.filter((c) => c.challenge.id === v || c.challenge.id.startsWith(`${v.replace(/\/$/, "")}/`) || c.challenge.topic === v);
    if (matches.length === 0) {
      const ids = pack.map((c) => c.challenge.id);
      const near = ids.filter((id) => id.includes(v.split("/").pop() ?? v)).slice(0, 3);
      throw new MemarenaError(ErrorCode.CHALLENGE_NOT_FOUND, `no challenge file, folder, id or topic "${v}"${near.length ? `; did you mean ${near.join(", ")}?` : "; run `memarena challenge list`"}`, { value: v });
    }
    for (const c of matches) out.set(c.challenge.id, c);
  }
  return [...out.values()].sort((a, b) => a.challenge.id.localeCompare(b.challenge.id));
}

/** Parses `--shard i/n` (1-based, as Jest does) and keeps the i-th slice: challenges whose index mod n is i-1. */
export function shard<T>(items: readonly T[], spec: string | undefined): T[] {
  if (!spec) return [...items];
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new MemarenaError(ErrorCode.USAGE, `--shard: expected i/n with 1 <= i <= n (for example 2/4), found "${spec}"`);
  return items.filter((_, k) => k % n === i - 1);
}

/** Parses a positive integer flag. */
export function positiveInt(flag: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new MemarenaError(ErrorCode.USAGE, `${flag}: expected a positive integer, found "${value}"`);
  return n;
}
