export { default } from "../../../../../plugins/allocators/huge-page-aware";
