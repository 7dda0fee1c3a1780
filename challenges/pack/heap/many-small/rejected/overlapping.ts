/** @expect overlap — shared with other challenges: ../../../_shared/overlapping.ts */
export { default } from "../../../_shared/overlapping";
