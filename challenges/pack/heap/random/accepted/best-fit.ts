export { default } from "../../../../../plugins/allocators/best-fit";
