/** The reporter registry: every ReporterName maps to a Reporter, so a missing one is a type error. */
import { consoleReporter } from "./console";
import { gradescopeReporter } from "./gradescope";
import { htmlReporter } from "./html";
import { jsonReporter } from "./json";
import { junitReporter } from "./junit";
import { markdownReporter } from "./markdown";
import type { Reporter, ReporterName } from "./types";

export type { Audience, Reporter, ReporterName, ReporterOptions } from "./types";
export { studentView, viewFor } from "./student-view";
export { validateResults } from "./validate";
export type { ResultsValidation } from "./validate";
export { canonicalResults } from "./json";
export { gradescopeResults } from "./gradescope";

/** All reporters by name. */
export const REPORTERS: Readonly<Record<ReporterName, Reporter>> = {
  console: consoleReporter,
  json: jsonReporter,
  junit: junitReporter,
  markdown: markdownReporter,
  html: htmlReporter,
  gradescope: gradescopeReporter,
};

/** The reporter names, for CLI choices and help text. */
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** True when `name` is a reporter name (for validating `--reporter`). */
export function isReporterName(name: string): name is ReporterName {
  return Object.prototype.hasOwnProperty.call(REPORTERS, name);
}
