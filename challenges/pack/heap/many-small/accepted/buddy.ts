export { default } from "../../../../../plugins/allocators/buddy";
