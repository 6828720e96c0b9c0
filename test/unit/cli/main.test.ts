import assert from "node:assert/strict";
import { main } from "../../../workers/cli/main";

function io(loadConsole?: () => unknown) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), loadConsole } };
}

describe("jobworker CLI", () => {
  it("lists the kinds this build holds, by name", async () => {
    const t = io();
    assert.equal(await main(["kinds"], t.io), 0);
    assert.match(t.out.join(""), /^feed-normalize\t.*\norders-webhook\t.*\npartner-protobuf-sftp\t[^\n]*\n$/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ["no command", [], /jobworker: no command/],
    ["an unknown command", ["fly"], /unknown command `fly`/],
    ["run without a worker or JOBWORKER_WORKER", ["run"], /jobworker run: expected one worker name \(or `JOBWORKER_WORKER`\), got 0 arguments/],
    ["run with two workers", ["run", "a", "b"], /got 2 arguments/],
    ["run with an unknown worker", ["run", "nope"], /configuration error: unknown worker `nope`/],
  ];
  for (const [what, argv, message] of usage) {
    it(`exits 2 on ${what}`, async () => {
      const t = io();
      assert.equal(await main(argv, t.io, {}), 2);
      assert.match(t.err.join(""), message);
    });
  }

  it("runs the worker named by JOBWORKER_WORKER when `run` has no argument (the image's default command)", async () => {
    const t = io();
    // An unknown name proves the lookup used the variable; a known one would start polling.
    assert.equal(await main(["run"], t.io, { JOBWORKER_WORKER: "from-env" }), 2);
    assert.match(t.err.join(""), /unknown worker `from-env`/);
  });

  it("dispatches `status` and `console` to the ops console's exports with the remaining arguments", async () => {
    const calls: Array<[string, string[]]> = [];
    const consoleModule = { runStatus: async (argv: string[]) => void calls.push(["status", argv]), runConsole: async (argv: string[]) => (calls.push(["console", argv]), 3) };
    assert.equal(await main(["status", "--json"], io(() => consoleModule).io), 0);
    assert.equal(await main(["console", "--port", "1"], io(() => consoleModule).io), 3);
    assert.deepEqual(calls, [["status", ["--json"]], ["console", ["--port", "1"]]]);
  });

  it("explains when the ops console is not installed", async () => {
    const t = io(() => {
      throw new Error("Cannot find module '../../console'");
    });
    assert.equal(await main(["status"], t.io), 2);
    assert.match(t.err.join(""), /`jobworker status` needs the ops console \(console\/index\.ts\), which is not installed here/);
  });

  it("explains when the console module lacks the export", async () => {
    const t = io(() => ({}));
    assert.equal(await main(["console"], t.io), 2);
    assert.match(t.err.join(""), /does not export `runConsole\(argv\)`/);
  });
});
