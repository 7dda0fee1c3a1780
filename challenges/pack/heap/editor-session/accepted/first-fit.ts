export { default } from "../../../../../plugins/allocators/first-fit";
