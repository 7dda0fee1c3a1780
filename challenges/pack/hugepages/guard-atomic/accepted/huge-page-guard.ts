export { default } from "../../../../../plugins/sanitizers/huge-page-guard";
