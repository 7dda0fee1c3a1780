export { default } from "../../../../../plugins/placement/placement-first-fit";
