// Tests run TypeScript through ts-node in transpile-only mode (fast); `npm run typecheck` runs the
// full strict type check once before the suite.
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_PROJECT = require("path").join(__dirname, "..", "..", "tsconfig.json");
require("ts-node/register");
// The AWS SDK warns on every process start that releases after early 2027 need Node 22; the lockfile
// pins today's releases (README, "Pinned on purpose"), so the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
