export { default } from "../../../../../plugins/frames/frames-buddy";
