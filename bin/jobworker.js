#!/usr/bin/env node
// `jobworker` from a checkout: `status`, `console` and `smoke` go to the ops console (console/, a package of
// its own that no worker image holds), every other command to the workers' CLI (workers/bin).
//   npm run jobworker -- status --cluster <name>
//   node bin/jobworker.js console --allow-actions
"use strict";
const { join } = require("node:path");

const CONSOLE_COMMANDS = new Set(["status", "console", "smoke"]);
const command = process.argv[2];
require(
  CONSOLE_COMMANDS.has(command)
    ? join(__dirname, "..", "console", "bin", "jobworker-console.js")
    : join(__dirname, "..", "workers", "bin", "jobworker.js"),
);
