/**
 * A multi-GB object streamed through a worker process in constant memory: the producer generates
 * ~2 GB as a stream (multipart upload), the worker's handler hashes it as it flows, and the test reads
 * the worker's peak RSS (VmHWM from /proc) at the end.
 */
import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { join } from "node:path";
import { WORKER_ENV } from "../../../catalog/contract";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import {
  compileEntry,
  createPipeline,
  ensureStopped,
  generatedStream,
  getText,
  listKeys,
  peakRss,
  spawnCompiledWorker,
  waitForLine,
  type ChildWorker,
} from "./helpers";

export const BIG_OBJECT_BYTES = 2 * 1024 ** 3;

describe("runtime with a multi-GB object (moto server)", function () {
  this.timeout(600_000);
  let moto: MotoServer;
  let s3: S3Client;
  let worker: ChildWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
  });
  after(async () => {
    await ensureStopped(worker);
    s3?.destroy();
    await moto?.stop();
  });

  it("streams a ~2 GB object through the handler with every byte intact (peak RSS printed; its target is checked by npm run bench)", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 60 });
    // Compiled JavaScript, as in the container image: ts-node would add its compiler to the RSS.
    const script = compileEntry(join(__dirname, "fixtures", "worker-process.ts"));
    worker = spawnCompiledWorker(script, ["sink"], {
      ...moto.env,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({ out: { type: "s3", bucket: pipeline.outputBucket } }),
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
    });
    await waitForLine(worker, "worker started");
    const idleRss = peakRss(worker.child.pid!);
    const generated = generatedStream(BIG_OBJECT_BYTES);
    const started = Date.now();
    await new Upload({
      client: s3,
      params: { Bucket: pipeline.inputBucket, Key: "big/object.bin", Body: generated.stream },
      partSize: 16 * 1024 * 1024,
      queueSize: 2,
    }).done();
    const uploadedMs = Date.now() - started;
    const done = await waitForLine(worker, "job done", 540_000);
    const processedMs = Date.now() - started - uploadedMs;
    const rss = peakRss(worker.child.pid!);
    const [key] = await listKeys(s3, pipeline.outputBucket);
    const result = JSON.parse(await getText(s3, pipeline.outputBucket, key!));
    assert.equal(result.bytes, BIG_OBJECT_BYTES);
    assert.equal(result.sha256, generated.sha256());
    assert.equal(done.bytesIn, BIG_OBJECT_BYTES);
    process.stdout.write(
      `      [measured] ${(BIG_OBJECT_BYTES / 1024 ** 3).toFixed(1)} GiB: worker peak RSS ${(rss / 1024 ** 2).toFixed(1)} MiB (${(idleRss / 1024 ** 2).toFixed(1)} MiB when idle); upload ${(uploadedMs / 1000).toFixed(1)} s; worker stream ${(processedMs / 1000).toFixed(1)} s after upload (${(BIG_OBJECT_BYTES / 1024 ** 2 / ((Number(done.durationMs) || 1) / 1000)).toFixed(0)} MiB/s in the handler)\n`,
    );
    worker.child.kill("SIGTERM");
    assert.equal((await worker.exited).code, 0);
    await waitFor("worker gone", () => worker!.child.exitCode !== null);
  });
});
