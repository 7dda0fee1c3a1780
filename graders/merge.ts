/**
 * Merging the results of shards (`grade --shard i/n` in a CI matrix) into one
 * document per submission: the challenges of all shards of the same
 * submission (same sha256) and the same challenge pack, sorted by id, totals
 * recomputed. Pure: documents in, documents out.
 */
import { ErrorCode, MemarenaError } from "../core/errors";
import type { ChallengeResult, ResultsDocument } from "./results";
import { totalOf } from "./scoring";

/** Merges documents; several shards of one submission become one document. */
export function mergeResults(docs: readonly ResultsDocument[]): ResultsDocument[] {
  const groups = new Map<string, ResultsDocument[]>();
  for (const d of docs) {
    const key = `${d.submission.sha256}\0${d.submission.name}\0${d.challengePack?.sha256 ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()].map((group) => {
    const byId = new Map<string, ChallengeResult>();
    for (const d of group) {
      if (d.grader.version !== group[0].grader.version) {
        throw new MemarenaError(ErrorCode.USAGE, `merge: ${d.submission.name} was graded by memarena ${group[0].grader.version} and ${d.grader.version}; merge shards of one run`);
      }
      for (const c of d.challenges) {
        const seen = byId.get(c.id);
        if (seen && (seen.verdict !== c.verdict || seen.score !== c.score)) {
          throw new MemarenaError(ErrorCode.USAGE, `merge: ${d.submission.name} has two different results for ${c.id}; were two runs mixed?`);
        }
        byId.set(c.id, c);
      }
    }
    const challenges = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
    return { ...group[0], challenges, total: totalOf(challenges) };
  });
}
