/** `memarena leaderboard`: print or export the ranking. */
import * as fs from "node:fs";
import { ErrorCode, MemarenaError } from "../../core/errors";
import { Leaderboard, formatLeaderboard, type LeaderboardFormat } from "../leaderboard";
import { EXIT } from "./output";

/** Flags of `memarena leaderboard`. */
export interface LeaderboardFlags {
  db: string;
  format: LeaderboardFormat;
  all?: boolean;
  anonymize?: boolean;
  out?: string;
}

/** Runs `memarena leaderboard`; returns the exit code. */
export function leaderboardCommand(flags: LeaderboardFlags): number {
  if (!fs.existsSync(flags.db)) {
    throw new MemarenaError(ErrorCode.IO, `${flags.db}: no leaderboard here yet; grade with --leaderboard ${flags.db} (npm start does) to make one`);
  }
  const board = new Leaderboard(flags.db);
  try {
    const text = formatLeaderboard(board.ranking({ bestPerSubmitter: !flags.all, anonymize: flags.anonymize }), flags.format);
    if (flags.out) {
      fs.writeFileSync(flags.out, text);
      process.stderr.write(`memarena: wrote ${flags.out}\n`);
    } else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    return EXIT.ok;
  } finally {
    board.close();
  }
}
