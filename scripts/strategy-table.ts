/**
 * Regenerates docs/strategies.md: grades every built-in plugin on the
 * built-in pack through the real CLI and renders the figures.
 *   npm run docs:strategies
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ResultsDocument } from "../graders/results";
import { strategyTables } from "../graders/strategy-table";
import { GRADER_VERSION } from "../graders/version";

const root = path.resolve(__dirname, "..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "memarena-strategies-"));
const r = spawnSync(process.execPath, [path.join(root, "bin/memarena.js"), "grade", "--builtins", "--exit-zero", "--reporter", "json", "--out", out], { stdio: ["ignore", "ignore", "inherit"] });
if (r.status !== 0) process.exit(r.status ?? 1);
const docs = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as ResultsDocument[];
fs.writeFileSync(path.join(root, "docs/strategies.md"), strategyTables(docs, GRADER_VERSION));
process.stdout.write("wrote docs/strategies.md\n");
