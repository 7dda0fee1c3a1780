/** The grader's version, from package.json: part of every results document and leaderboard entry. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const GRADER_VERSION: string = (require("../package.json") as { version: string }).version;
