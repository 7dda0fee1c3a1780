export { default } from "../../../../../plugins/placement/placement-best-fit";
