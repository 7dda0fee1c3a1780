export { default } from "../../../../../plugins/sanitizers/leak-checker";
