export { default } from "../../../../../plugins/sanitizers/electric-fence";
