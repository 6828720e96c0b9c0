import assert from "node:assert/strict";
import { UsageError } from "../../../console/errors";
import { parseConsoleArgs, parseStatusArgs } from "../../../console/options";

describe("console/options", () => {
  it("parses status flags, with the cluster from JOBWORKER_CLUSTER when not given", () => {
    assert.deepEqual(parseStatusArgs(["--json", "--fleet", "sfr-1", "--fleet", "sfr-2"], { JOBWORKER_CLUSTER: "main" }), {
      cluster: "main",
      json: true,
      fleetIds: ["sfr-1", "sfr-2"],
      help: false,
    });
    assert.equal(parseStatusArgs(["--cluster", "other"], { JOBWORKER_CLUSTER: "main" }).cluster, "other");
  });

  it("takes --dashboard on both commands, and leaves it out when not given (the collector then looks it up)", () => {
    assert.equal(parseStatusArgs(["--dashboard", "jobworker-prod"], {}).dashboard, "jobworker-prod");
    assert.equal(parseConsoleArgs(["--dashboard", "jobworker-prod"], {}).dashboard, "jobworker-prod");
    assert.equal("dashboard" in parseStatusArgs([], {}), false);
  });

  it("parses console flags with their defaults, the token from JOBWORKER_CONSOLE_TOKEN", () => {
    assert.deepEqual(parseConsoleArgs([], { JOBWORKER_CONSOLE_TOKEN: "t".repeat(20) }), {
      fleetIds: [],
      help: false,
      host: "127.0.0.1",
      port: 8787,
      token: "t".repeat(20),
      allowActions: false,
      refreshSeconds: 10,
    });
    const o = parseConsoleArgs(["--host", "0.0.0.0", "--port", "0", "--allow-actions", "--refresh", "5", "--log-group", "/g"], {});
    assert.deepEqual([o.host, o.port, o.allowActions, o.refreshSeconds, o.logGroup], ["0.0.0.0", 0, true, 5, "/g"]);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ["an unknown flag", () => parseStatusArgs(["--verbose"], {}), /Unknown option '--verbose'/],
    ["a positional argument", () => parseStatusArgs(["main"], {}), /Unexpected argument 'main'/],
    ["a port that is not a number", () => parseConsoleArgs(["--port", "http"], {}), /`--port` must be an integer, got "http"/],
    ["a flag without its value", () => parseConsoleArgs(["--cluster"], {}), /--cluster/],
  ];
  for (const [title, run, message] of bad) {
    it(`rejects ${title} with a UsageError`, () =>
      assert.throws(run, (err: unknown) => err instanceof UsageError && message.test(err.message)));
  }
});
