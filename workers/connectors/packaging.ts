/**
 * Packages a payload for a partner, streaming file to file on the scratch disk: count its records,
 * compress (gzip, or zip with one entry), encrypt (OpenPGP), and hash what comes out (SHA-256, MD5).
 * Nothing is held whole in memory; each stage is a stream with its own small buffer (zlib's 16 KiB
 * chunks, a pipe's 64 KiB). Packaging to a file first is what lets a name carry `{sha256}` of the
 * delivered bytes, and sidecars carry their checksums, before anything is uploaded.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { ZipFile } from "yazl";
import type { PgpEncryptor } from "./pgp";

export interface PackagingOptions {
  readonly compression?: "gzip" | "zip";
  /** The zip's one entry. */
  readonly zipEntryName?: string;
  /** The zip entry's modification time: the event time, so a redelivery packs the same bytes. */
  readonly mtime?: Date;
  readonly pgp?: PgpEncryptor;
  /** Stops packaging (shutdown, job deadline): the source is destroyed, every stage fails with the reason. */
  readonly signal?: AbortSignal;
}

export interface PackagedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  /** Lines of the unpackaged payload (a last line without a newline counts). */
  readonly records: number;
}

/** Counts newline-terminated lines (and a last unterminated one) of what passes through. */
class LineCounter extends Transform {
  lines = 0;
  private last = 0x0a;
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) this.lines += 1;
    if (chunk.length > 0) this.last = chunk[chunk.length - 1]!;
    callback(null, chunk);
  }
  get records(): number {
    return this.lines + (this.last === 0x0a ? 0 : 1);
  }
}

/** Hashes what passes through with SHA-256 and MD5 at once. */
class Hasher extends Transform {
  readonly sha256 = createHash("sha256");
  readonly md5 = createHash("md5");
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    callback(null, chunk);
  }
}

/** A zip of one entry as a stream transform: the entry's bytes in, the archive out. */
function zipOf(entryName: string, mtime: Date | undefined): { input: PassThrough; output: Readable } {
  const zip = new ZipFile();
  const input = new PassThrough();
  zip.addReadStream(input, entryName, { mtime: mtime ?? new Date(0), compress: true });
  zip.end();
  const output = zip.outputStream as Readable;
  input.once("error", (err) => output.destroy(err));
  return { input, output };
}

/** Streams `source` through the options' stages into `path`. */
export async function packageFile(source: Readable, path: string, options: PackagingOptions): Promise<PackagedFile> {
  options.signal?.throwIfAborted();
  const counter = new LineCounter();
  const hasher = new Hasher();
  const onAbort = () =>
    source.destroy(options.signal!.reason instanceof Error ? options.signal!.reason : new Error(String(options.signal!.reason)));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // Stage 1: source → count → compress; the result is a readable of compressed (or plain) bytes.
  let compressed: Readable;
  let stage1: Promise<void>;
  if (options.compression === "gzip") {
    const gzip = createGzip();
    compressed = gzip;
    // Stage 2 reads gzip while this writes it; gzip's errors surface here.
    stage1 = pipeline(source, counter, gzip);
  } else if (options.compression === "zip") {
    const zip = zipOf(options.zipEntryName ?? "payload", options.mtime);
    compressed = zip.output;
    stage1 = pipeline(source, counter, zip.input);
  } else {
    compressed = source.pipe(counter);
    source.once("error", (err) => counter.destroy(err));
    stage1 = Promise.resolve();
  }
  // Stage 2: compressed → gpg → hash → file, or compressed → hash → file.
  const out = createWriteStream(path);
  const gpg = options.pgp?.encrypt();
  const stages =
    gpg === undefined
      ? [stage1, pipeline(compressed, hasher, out)]
      : [stage1, pipeline(compressed, gpg.stdin), pipeline(gpg.stdout, hasher, out), gpg.done];
  try {
    await Promise.all(stages);
  } catch (err) {
    // One stage failed: stop the others, so none is left waiting on a stream nobody reads.
    gpg?.kill();
    for (const s of [source, counter, compressed, out]) s.destroy();
    await Promise.allSettled(stages);
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  const { size } = await stat(path);
  return { path, size, sha256: hasher.sha256.digest("hex"), md5: hasher.md5.digest("hex"), records: counter.records };
}
