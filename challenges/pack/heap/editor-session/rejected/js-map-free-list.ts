/** @expect heapResidentMetadata — shared with other challenges: ../../../_shared/js-map-free-list.ts */
export { default } from "../../../_shared/js-map-free-list";
