/**
 * The `first-fit` allocator under its older file name. Built-in plugins are
 * found by file name (`builtin:first-fit` -> first-fit.ts); this re-export
 * keeps `builtin:implicit-first-fit` and existing imports working. Read
 * first-fit.ts and implicit-list.ts.
 */
export { default, makeFirstFit, type FirstFitOptions } from "./first-fit";
