/**
 * An SFTP upload with several writes in flight (`concurrency`), for servers that accept out-of-order
 * writes to one file (OpenSSH does). The payload is read in `chunkBytes` ranges (`Delivery.openRange`,
 * from the scratch file), each written at its offset: memory is `concurrency` chunks. Opt-in, because
 * some servers corrupt or refuse out-of-order writes (why the connector's default is one streamed put).
 */
import { buffer } from "node:stream/consumers";
import type { SFTPWrapper } from "ssh2";
import type { Delivery } from "./types";

/** Bytes per write request group; ssh2 splits each into packets the server accepts. */
export const SFTP_PARALLEL_CHUNK_BYTES = 256 * 1024;

const call = <T>(fn: (cb: (err: Error | undefined | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/**
 * Writes the payload to `path` with `concurrency` writes in flight; resolves to the bytes written.
 * The delivery must have a `size` and `openRange`; `onWrite` hears every chunk written (the idle-progress watchdog).
 */
export async function parallelPut(
  sftp: SFTPWrapper,
  delivery: Delivery & { readonly size: number; readonly openRange: NonNullable<Delivery["openRange"]> },
  path: string,
  concurrency: number,
  onWrite: (bytes: number) => void = () => undefined,
  chunkBytes = SFTP_PARALLEL_CHUNK_BYTES,
): Promise<number> {
  const handle = await call<Buffer>((cb) => sftp.open(path, "w", cb));
  let written = 0;
  let next = 0;
  const worker = async () => {
    while (next < delivery.size) {
      delivery.signal.throwIfAborted();
      const start = next;
      const end = Math.min(start + chunkBytes, delivery.size);
      next = end;
      const data = await buffer(delivery.openRange(start, end));
      if (data.length !== end - start) throw new Error(`read ${data.length} bytes of range ${start}-${end} of the payload`);
      await call<void>((cb) => sftp.write(handle, data, 0, data.length, start, (err) => cb(err, undefined)));
      written += data.length;
      onWrite(data.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    await call<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(() => undefined /* the connection is gone */);
  }
  return written;
}
