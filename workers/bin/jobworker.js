#!/usr/bin/env node
// The `jobworker` bin. In the container image the compiled CLI sits in ../dist; in a checkout the
// TypeScript sources run through ts-node (transpile only; `npm run typecheck` checks types).
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const compiled = join(__dirname, "..", "dist", "workers", "cli", "main.js");
let cli;
if (existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("ts-node").register({ transpileOnly: true, project: join(__dirname, "..", "..", "tsconfig.json") });
  cli = require("../cli/main.ts");
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`jobworker: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
