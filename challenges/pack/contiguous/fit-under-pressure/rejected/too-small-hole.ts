/** @expect bounds — shared with other challenges: ../../../_shared/too-small-hole.ts */
export { default } from "../../../_shared/too-small-hole";
