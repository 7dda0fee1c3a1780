/** @expect bounds — shared with other challenges: ../../../_shared/out-of-heap.ts */
export { default } from "../../../_shared/out-of-heap";
