/**
 * Forwards to the allocator it wraps with no guard pages, so an overrun lands
 * in the next block or in slack and nothing is reported.
 * @expect detection — shared with other challenges: ../../../_shared/pass-through.ts
 */
export { default } from "../../../_shared/pass-through";
