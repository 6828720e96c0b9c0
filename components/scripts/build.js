// `npm run build -w components`: compiles the package to dist/ (JavaScript and declarations), then
// adds what the compiled code reads at run time: bootstrap/'s shell scripts, and the backlog
// publisher's and the capacity controller's function code, transpiled from workers/ by the package's own `transpileSources`, so
// the installed package deploys the same archive as a checkout and needs no workers/ folder.
"use strict";
const { execFileSync } = require("node:child_process");
const { cpSync, mkdirSync, rmSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");

const PACKAGE = join(__dirname, "..");
const REPO = join(PACKAGE, "..");
const DIST = join(PACKAGE, "dist");

rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(PACKAGE, "tsconfig.build.json")], { stdio: "inherit" });

cpSync(join(REPO, "bootstrap", "files"), join(DIST, "bootstrap", "files"), { recursive: true });
// The daemon images' mirror build context (daemon-image.ts resolves it next to itself).
cpSync(join(PACKAGE, "spot-ecs-cluster", "daemon-mirror"), join(DIST, "components", "spot-ecs-cluster", "daemon-mirror"), {
  recursive: true,
});

const code = require(join(DIST, "components", "backlog-publisher", "code.js"));
for (const [path, text] of Object.entries(code.transpileSources(join(REPO, "workers"), code.FUNCTION_SOURCES))) {
  const target = join(code.BUNDLED_FUNCTION_DIR, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}
