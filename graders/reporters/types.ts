/** The reporter contract: a pure function from readonly results documents to text. */
import type { ResultsDocument } from "../results";

/** Who reads the report: students see only verdict and score of hidden challenges; instructors see everything. */
export type Audience = "student" | "instructor";

/** What the caller decides for a reporter (the CLI, from flags, NO_COLOR and the TTY). */
export interface ReporterOptions {
  /** Required on purpose: leaking hidden challenges must be a decision, never a default. */
  readonly audience: Audience;
  /** ANSI colors in console output; on unless `false`. */
  readonly color?: boolean;
}

/** Renders one or more submissions' results (a class, when grading many) as text. */
export type Reporter = (docs: readonly ResultsDocument[], opts: ReporterOptions) => string;

/** The reporter names of `memarena grade --reporter` (DESIGN.md §7). */
export type ReporterName = "console" | "json" | "junit" | "markdown" | "html" | "gradescope";
