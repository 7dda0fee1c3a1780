/** Workloads: trace parsing and formatting, generators, and picking a challenge's op stream. */
export { formatCompactOp, formatCompactTrace, parseCompactTrace } from "./compact";
export { DEFAULT_GENERATED_OPS, generateWorkload, sampleLifetime, sampleSize } from "./generate";
export { type RepHeader, formatRep, parseRep } from "./rep";
export { resolveWorkload, workloadSeed } from "./resolve";
export { type TraceFormat, parseJsonTrace, parseTrace, resolveOp, resolveOps, traceFormatOf } from "./trace";
