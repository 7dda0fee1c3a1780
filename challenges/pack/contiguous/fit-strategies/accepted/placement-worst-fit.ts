export { default } from "../../../../../plugins/placement/placement-worst-fit";
