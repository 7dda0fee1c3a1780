export { default } from "../../../../../plugins/placement/placement-next-fit";
