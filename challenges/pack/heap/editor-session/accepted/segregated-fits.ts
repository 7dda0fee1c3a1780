export { default } from "../../../../../plugins/allocators/segregated-fits";
