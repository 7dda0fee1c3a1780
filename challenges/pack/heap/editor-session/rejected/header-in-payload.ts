/** @expect payloadIntegrity — shared with other challenges: ../../../_shared/header-in-payload.ts */
export { default } from "../../../_shared/header-in-payload";
