/** Redaction of hidden challenges for students (DESIGN.md §5: "hidden: verdict and score only"). */
import type { ChallengeResult, ResultsDocument } from "../results";
import type { Audience } from "./types";

/** True when the result is of a hidden challenge. */
export function isHidden(c: ChallengeResult): boolean {
  return c.visibility === "hidden";
}

/** A hidden challenge reduced to id, title, verdict and score: no topic, metrics, failures, series or timing. */
export function redactChallenge(c: ChallengeResult): ChallengeResult {
  if (!isHidden(c)) return c;
  return {
    id: c.id,
    ...(c.title !== undefined ? { title: c.title } : {}),
    visibility: "hidden",
    verdict: c.verdict,
    score: c.score,
    maxScore: c.maxScore,
    metrics: {},
    failures: [],
    wallMs: 0,
  };
}

/** The document as a student may see it: hidden challenges keep only id, title, verdict and score; the rest is untouched. */
export function studentView(doc: ResultsDocument): ResultsDocument {
  if (!doc.challenges.some(isHidden)) return doc;
  return { ...doc, challenges: doc.challenges.map(redactChallenge) };
}

/** The documents as the given audience may see them. */
export function viewFor(docs: readonly ResultsDocument[], audience: Audience): readonly ResultsDocument[] {
  return audience === "student" ? docs.map(studentView) : docs;
}
