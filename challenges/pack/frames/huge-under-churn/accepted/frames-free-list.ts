export { default } from "../../../../../plugins/frames/frames-free-list";
