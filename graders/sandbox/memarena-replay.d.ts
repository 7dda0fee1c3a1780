/** The replay module the child bundle is built with (scripts/build.js aliases it); see replay.ts. */
declare module "memarena-replay" {
  export const runJob: import("./replay").ReplayFn;
}
