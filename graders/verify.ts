/**
 * `memarena challenge verify`: a challenge ships reference submissions, as
 * contest problem packages do. Beside `<name>.json` sits a folder `<name>/`
 * with `accepted/*.ts` (each must pass) and `rejected/*.ts` (each must not
 * pass; each names what must catch it in a doc tag `@expect <check|verdict>`,
 * e.g. `@expect overlap` or `@expect timeout`). A challenge without an
 * accepted reference does not verify: nobody has shown it can be passed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MemarenaError } from "../core/errors";
import type { LoadedChallenge } from "./challenge/load";
import { buildJob, limitsOf } from "./grade";
import { pool } from "./pool";
import { loadPlugin } from "./loader";
import type { RunResult } from "./protocol";
import { runIsolated } from "./sandbox";

/** A reference submission of a challenge. */
export interface Reference {
  readonly file: string;
  /** For rejected ones: the check or verdict that must catch it. */
  readonly expect?: string;
}

/** The reference submissions beside a challenge file. */
export function referencesOf(loaded: LoadedChallenge): { accepted: Reference[]; rejected: Reference[] } {
  const base = path.join(path.dirname(loaded.file), path.basename(loaded.file, ".json"));
  const list = (sub: string): string[] => {
    const dir = path.join(base, sub);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f)).sort().map((f) => path.join(dir, f)) : [];
  };
  return {
    accepted: list("accepted").map((file) => ({ file })),
    rejected: list("rejected").map((file) => ({ file, expect: /@expect\s+([\w-]+)/.exec(fs.readFileSync(file, "utf8"))?.[1] })),
  };
}

/** One reference's outcome. */
export interface VerifyOutcome {
  readonly challenge: string;
  readonly file: string;
  readonly role: "accepted" | "rejected";
  readonly expect?: string;
  readonly verdict: string;
  readonly check?: string;
  /** True when the reference did what it is there to show. */
  readonly ok: boolean;
  readonly reason: string;
}

/** Whether a rejected reference was caught the way it says it must be. */
export function rejectedCaught(result: RunResult, expect: string | undefined): boolean {
  if (result.verdict === "pass" || result.verdict === "internal-error") return false;
  if (expect === undefined) return true;
  return result.verdict === expect || result.failures.some((f) => f.check === expect);
}

/** Verifies challenges: runs every reference; never throws for a reference's behaviour. */
export async function verifyChallenges(challenges: readonly LoadedChallenge[], jobs = 1, onDone?: (o: VerifyOutcome) => void): Promise<VerifyOutcome[]> {
  const tasks: { loaded: LoadedChallenge; ref: Reference; role: "accepted" | "rejected" }[] = [];
  const missing: VerifyOutcome[] = [];
  for (const loaded of challenges) {
    const refs = referencesOf(loaded);
    if (refs.accepted.length === 0) {
      missing.push({ challenge: loaded.challenge.id, file: path.join(path.basename(loaded.file, ".json"), "accepted/"), role: "accepted", verdict: "missing", ok: false, reason: "no accepted reference: nobody has shown the challenge can be passed" });
    }
    for (const ref of refs.accepted) tasks.push({ loaded, ref, role: "accepted" });
    for (const ref of refs.rejected) tasks.push({ loaded, ref, role: "rejected" });
  }
  missing.forEach((m) => onDone?.(m));
  const outcomes = await pool(tasks, jobs, async ({ loaded, ref, role }) => {
    let result: RunResult;
    try {
      result = await runIsolated(buildJob(loaded, loadPlugin(ref.file)), limitsOf(loaded));
    } catch (e) {
      // A reference that does not even load is reported, not allowed to stop the other checks.
      if (!(e instanceof MemarenaError) || !e.userError) throw e;
      const outcome: VerifyOutcome = { challenge: loaded.challenge.id, file: ref.file, role, expect: ref.expect, verdict: "load-error", check: e.code, ok: false, reason: `does not load: ${e.message}` };
      onDone?.(outcome);
      return outcome;
    }
    const first = result.failures[0];
    const ok = role === "accepted" ? result.verdict === "pass" : rejectedCaught(result, ref.expect);
    const reason =
      role === "accepted"
        ? ok
          ? "passes"
          : `must pass, got ${result.verdict}${first ? `: ${first.message}` : ""}`
        : ok
          ? `caught (${first?.check ?? result.verdict})`
          : result.verdict === "pass"
            ? `must fail${ref.expect ? ` the ${ref.expect} check` : ""}, but passed`
            : `must fail${ref.expect ? ` the ${ref.expect} check` : ""}, got ${result.verdict}${first ? ` (${first.check}): ${first.message}` : ""}`;
    const outcome: VerifyOutcome = { challenge: loaded.challenge.id, file: ref.file, role, expect: ref.expect, verdict: result.verdict, check: first?.check, ok, reason };
    onDone?.(outcome);
    return outcome;
  });
  return [...missing, ...outcomes];
}
