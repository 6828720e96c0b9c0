import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fixedSecrets } from "../../../workers/connectors/binding-secrets";
import { createSftpConnector, type SftpConnectorDeps } from "../../../workers/connectors/sftp";
import { RetryableError } from "../../../workers/errors";
import { startSshd, type SshdServer } from "../../support/sshd";
import { startStallProxy, type StallProxy } from "../../support/stall-proxy";
import { waitFor } from "../../support/wait";
import { recordingLogger } from "./helpers";

/** A payload far larger than the socket buffers, generated as it is read. */
function endless(): Readable {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let left = 4096; // 256 MiB
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
}

/** Rejects with "still pending" when `p` has not settled `ms` after the call: the stall did not end. */
function settlesWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending ${ms} ms later`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe("SFTP connector, stalled transfer (sshd behind a proxy that stops forwarding)", function () {
  let sshd: SshdServer;
  let proxy: StallProxy;
  before(async () => (sshd = await startSshd()));
  beforeEach(async () => (proxy = await startStallProxy(sshd.port)));
  afterEach(async () => proxy?.stop());
  after(async () => sshd?.stop());

  function stalledDelivery(extra: Partial<SftpConnectorDeps>, signal: AbortSignal) {
    const log = recordingLogger();
    const connector = createSftpConnector(
      {
        type: "sftp",
        host: sshd.host,
        port: proxy.port,
        username: sshd.username,
        hostKeySha256: sshd.hostKeySha256,
        directory: sshd.root,
      },
      { logger: log.logger, secrets: fixedSecrets({ privateKeySecret: sshd.privateKey }), retry: { maxAttempts: 1 }, ...extra },
    );
    const name = `stalled-${Date.now()}.bin`;
    const run = connector.deliver({ name, open: endless, idempotencyKey: name, signal });
    // Keep the rejection observed while the test waits for the transfer to start.
    run.catch(() => undefined);
    return { connector, run, name, log };
  }

  async function stallOnceStarted(name: string): Promise<void> {
    await waitFor("a growing temporary file", () => {
      const part = readdirSync(sshd.root).find((f) => f.startsWith(`.${name}.`) && f.endsWith(".part"));
      return part !== undefined && statSync(join(sshd.root, part)).size > 1024 * 1024;
    });
    assert.equal(proxy.stall(), 1, "stalled the one open connection");
  }

  it("ends the delivery promptly when its signal aborts, closing the stalled connection", async () => {
    const controller = new AbortController();
    const { connector, run, name } = stalledDelivery({}, controller.signal);
    try {
      await stallOnceStarted(name);
      controller.abort(new Error("shutdown"));
      await assert.rejects(settlesWithin(run, 3_000, "deliver() after abort"), (err: unknown) => {
        assert.ok(err instanceof RetryableError, String(err));
        assert.match(err.message, /delivery aborted/);
        return true;
      });
    } finally {
      await settlesWithin(connector.close(), 3_000, "close() of a stalled connection");
    }
  });

  it("ends promptly when its signal aborts while the idle connection's check hangs, without reconnecting", async () => {
    const log = recordingLogger();
    const connector = createSftpConnector(
      { type: "sftp", host: sshd.host, port: proxy.port, username: sshd.username, hostKeySha256: sshd.hostKeySha256, directory: sshd.root },
      { logger: log.logger, secrets: fixedSecrets({ privateKeySecret: sshd.privateKey }), retry: { maxAttempts: 1 } },
    );
    try {
      await connector.deliver({
        name: "first.bin",
        open: () => Readable.from([Buffer.from("1")]),
        idempotencyKey: "first",
        signal: new AbortController().signal,
      });
      assert.equal(proxy.stall(), 1, "stalled the idle connection");
      const controller = new AbortController();
      const run = connector.deliver({ name: "second.bin", open: endless, idempotencyKey: "second", signal: controller.signal });
      run.catch(() => undefined);
      setTimeout(() => controller.abort(new Error("shutdown")), 200);
      await assert.rejects(settlesWithin(run, 3_000, "deliver() after abort"), /delivery aborted/);
      assert.equal(proxy.connections(), 1, "no new connection after the abort");
    } finally {
      await settlesWithin(connector.close(), 3_000, "close() of a stalled connection");
    }
  });

  const idle: Array<[string, Partial<SftpConnectorDeps>, RegExp]> = [
    ["the idle-progress timeout", { idleTimeoutMs: 500 }, /no progress for 500 ms/],
    ["SSH keepalive", { idleTimeoutMs: 60_000, keepaliveIntervalMs: 200, keepaliveCountMax: 2 }, /keepalive timeout/i],
  ];
  for (const [what, deps, message] of idle) {
    it(`fails a transfer that stops progressing as retryable, by ${what}`, async () => {
      const { connector, run, name, log } = stalledDelivery(deps, new AbortController().signal);
      try {
        await stallOnceStarted(name);
        await assert.rejects(settlesWithin(run, 5_000, "deliver() of a stalled transfer"), (err: unknown) => {
          assert.ok(err instanceof RetryableError, String(err));
          assert.match(err.message, message);
          return true;
        });
        assert.equal(log.withMsg("delivery failed").length, 1);
      } finally {
        await settlesWithin(connector.close(), 3_000, "close() of a stalled connection");
      }
    });
  }
});
