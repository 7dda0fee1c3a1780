/** @expect invalidReturn — shared with other challenges: ../../../_shared/index-out-of-range.ts */
export { default } from "../../../_shared/index-out-of-range";
