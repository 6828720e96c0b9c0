import assert from "node:assert/strict";
import { main } from "../../../workers/cli/main";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) } };
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
    [
      "run without a worker or JOBWORKER_WORKER",
      ["run"],
      /jobworker run: expected one worker name \(or `JOBWORKER_WORKER`\), got 0 arguments/,
    ],
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

  for (const command of ["status", "console", "smoke"]) {
    it(`\`${command}\` is not the workers' (the console is a package of its own): exits 2 naming the checkout command`, async () => {
      const t = io();
      assert.equal(await main([command, "--json"], t.io), 2);
      assert.match(
        t.err.join(""),
        new RegExp(
          `jobworker ${command}: the ops console is not part of this package; from a checkout of the repository run \`npm run jobworker -- ${command} \\.\\.\\.\``,
        ),
      );
    });
  }
});
