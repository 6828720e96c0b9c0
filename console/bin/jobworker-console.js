#!/usr/bin/env node
// The ops console's bin: `jobworker-console status [...]` and `jobworker-console console [...]`.
// The TypeScript sources run through ts-node (transpile only; `npm run typecheck` checks types).
"use strict";
const { join } = require("node:path");

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require("ts-node").register({ transpileOnly: true, project: join(__dirname, "..", "..", "tsconfig.json") });
require("../cli.ts");
