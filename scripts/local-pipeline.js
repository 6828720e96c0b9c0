#!/usr/bin/env node
// `npm start`: the whole pipeline on this machine (moto server on loopback, the catalog's buckets,
// queues and notifications, one process per worker, the sample files). See scripts/local-pipeline.ts.
"use strict";
const { join } = require("node:path");
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require("ts-node").register({ transpileOnly: true, project: join(__dirname, "..", "tsconfig.json") });
require("./local-pipeline.ts")
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`local pipeline: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
