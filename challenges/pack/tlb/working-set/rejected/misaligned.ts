/** @expect alignment — shared with other challenges: ../../../_shared/misaligned.ts */
export { default } from "../../../_shared/misaligned";
