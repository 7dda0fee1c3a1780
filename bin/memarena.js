#!/usr/bin/env node
"use strict";
// The memarena command: runs the bundled CLI (dist/cli.js, made by `npm run build`,
// which `npm ci` runs through "prepare"); builds it first when it is missing.
const fs = require("node:fs");
const path = require("node:path");

const cli = path.join(__dirname, "..", "dist", "cli.js");
if (!fs.existsSync(cli)) {
  const build = require("../scripts/build.js");
  build.buildChild();
  build.buildCli();
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`memarena: internal error: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 3;
    },
  );
