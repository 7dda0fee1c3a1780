/** Validation of results documents against graders/results-schema.json (JSON Schema 2020-12). */
import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv";
import type { ResultsDocument } from "../results";
import schema from "../results-schema.json";

/** The outcome of validating a results document. */
export type ResultsValidation =
  | { readonly valid: true; readonly doc: ResultsDocument; readonly errors: readonly [] }
  | { readonly valid: false; readonly errors: readonly string[] };

let compiled: ValidateFunction | undefined;

/** The compiled validator, built once. */
function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return compiled;
}

/** Checks a parsed document; errors read `/challenges/0/verdict: must be equal to one of the allowed values`. */
export function validateResults(doc: unknown): ResultsValidation {
  const validate = validator();
  if (validate(doc)) return { valid: true, doc: doc as ResultsDocument, errors: [] };
  const errors = (validate.errors ?? []).map((e) => {
    const extra = e.keyword === "additionalProperties" ? ` (${String(e.params["additionalProperty"])})` : "";
    return `${e.instancePath === "" ? "(document)" : e.instancePath}: ${e.message ?? e.keyword}${extra}`;
  });
  return { valid: false, errors };
}
