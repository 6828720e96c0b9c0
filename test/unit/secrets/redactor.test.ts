import assert from "node:assert/strict";
import pino from "pino";
import { Writable } from "node:stream";
import { createLogger } from "../../../workers/runtime/logger";
import { REDACTED, SecretRedactor } from "../../../workers/secrets";

describe("secret redactor", () => {
  const cases: Array<[string, string, string, string]> = [
    ["a value as written", "s3cret-token", "auth failed: s3cret-token", `auth failed: ${REDACTED}`],
    [
      "a value inside a JSON string (quotes and line breaks escaped)",
      'pa"ss\nword',
      JSON.stringify({ e: 'x pa"ss\nword y' }),
      JSON.stringify({ e: `x ${REDACTED} y` }),
    ],
    ["a value URL-encoded", "p@ss word/1", "GET /x?p=p%40ss%20word%2F1", `GET /x?p=${REDACTED}`],
    [
      "one line of a private key quoted on its own",
      "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQC7\nZZZZ\n-----END KEY-----",
      "bad key near AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 and -----BEGIN KEY-----",
      `bad key near ${REDACTED} and -----BEGIN KEY-----`,
    ],
    ["every occurrence", "tok-1234", "tok-1234 tok-1234", `${REDACTED} ${REDACTED}`],
  ];
  for (const [what, secret, text, expected] of cases) {
    it(`replaces ${what}`, () => {
      const r = new SecretRedactor();
      r.add(secret);
      assert.equal(r.redact(text), expected);
    });
  }

  it("redacts an error's message, stack and causes in place", () => {
    const r = new SecretRedactor();
    r.add("tok-5678");
    const err = new Error("outer tok-5678", { cause: new Error("inner tok-5678") });
    r.redactError(err);
    assert.equal(err.message, `outer ${REDACTED}`);
    assert.equal(err.stack!.includes("tok-5678"), false);
    assert.equal((err.cause as Error).message, `inner ${REDACTED}`);
  });

  it("leaves a logger's lines unchanged when nothing is registered, and redacts every field once something is", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const redactor = new SecretRedactor();
    const log = createLogger({ destination: sink as unknown as pino.DestinationStream, redactor });
    log.info({ url: "https://x/?t=tok-9999" }, "before");
    redactor.add("tok-9999");
    log.error({ err: new Error("HTTP 401: echo tok-9999"), nested: { h: "tok-9999" } }, "after tok-9999");
    assert.match(lines[0]!, /tok-9999/);
    assert.equal(lines[1]!.includes("tok-9999"), false);
    assert.equal(lines[1]!.split(REDACTED).length - 1, 4); // message, stack, nested field, msg
  });
});
