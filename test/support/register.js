// Tests run TypeScript through ts-node in transpile-only mode (fast); `npm run typecheck` runs the
// full strict type check once before the suite.
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_PROJECT = require("path").join(__dirname, "..", "..", "tsconfig.json");
require("ts-node/register");
