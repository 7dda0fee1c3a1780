/** The leaderboard: storage (better-sqlite3) and exports. */
export { anonymousName, DEFAULT_LEADERBOARD_PATH, Leaderboard } from "./leaderboard";
export type { LeaderboardEntry, LeaderboardOptions, RankingOptions, RankRow, RecordOptions } from "./leaderboard";
export { formatLeaderboard } from "./format";
export type { LeaderboardFormat } from "./format";
export { APPLICATION_ID, LATEST_SCHEMA_VERSION } from "./migrations";
