/**
 * Protocol Buffers output checked by a real peer: `protoc --decode` (Debian `protobuf-compiler`) against
 * the repository's schemas, and a length-delimited stream split independently of the encoder.
 */
import { spawnSync } from "node:child_process";
import { SCHEMAS_DIR } from "../../workers/connectors/protobuf";

/** Splits a varint-length-delimited stream into its messages (independent of the encoder). */
export function splitDelimited(bytes: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    messages.push(bytes.subarray(pos, pos + len));
    pos += len;
  }
  return messages;
}

/** `protoc --decode=<type>` against the repository's schemas, as protobuf text format. */
export function protocDecode(type: string, schema: string, bytes: Buffer): string {
  const out = spawnSync("protoc", [`--decode=${type}`, `-I${SCHEMAS_DIR}`, schema], { input: bytes });
  if (out.error) throw new Error(`protoc is not runnable (${out.error.message}): install Debian \`protobuf-compiler\` (scripts/setup.sh)`);
  if (out.status !== 0) throw new Error(`protoc --decode=${type} failed: ${out.stderr.toString()}`);
  return out.stdout.toString();
}
