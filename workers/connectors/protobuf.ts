/**
 * Protocol Buffers encoding of a slot's records (`format: { type: "protobuf" }` on a binding), with
 * `protobufjs` and the `.proto` schemas kept in `workers/schemas/`. The schema and message type are
 * loaded and checked at worker start (`loadProtobufEncoder`), so a typo stops the worker, not a job.
 *
 * Two outputs, both streamed record by record (nothing is buffered whole):
 * - `delimited: true` (default): `messageType` is the record type; the output is a stream of
 *   varint-length-prefixed messages (protobufjs `encodeDelimited`, Java's `writeDelimitedTo`).
 * - `delimited: false`: `messageType` is a container with exactly one repeated message field; the
 *   output is ONE container message whose field holds every record. On the wire a repeated field is
 *   the concatenation of its entries, so each record is written as `tag, length, bytes` as it comes.
 *
 * 64-bit integer fields take the proto3 JSON mapping's decimal strings; a JSON number beyond 2^53 - 1
 * is refused, never rounded (`protobuf-int64.ts`).
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import protobuf from "protobufjs";
import type { ProtobufFormat } from "../../catalog/contract";
import { ConfigError, PermanentError } from "../errors";
import { normalizeInt64 } from "./protobuf-int64";
import { validateProtobufFormat } from "./validation";

/** Where the `.proto` files live: `workers/schemas/`. */
export const SCHEMAS_DIR = resolve(__dirname, "..", "schemas");

export interface ProtobufEncoder {
  readonly format: ProtobufFormat;
  /** The type each record is encoded as (the container's element type when not delimited). */
  readonly recordType: protobuf.Type;
  /** The bytes one record adds to the output (length prefix or field tag and length included). */
  encodeRecord(record: unknown, index?: number): Buffer;
  /** A Transform from record objects (writable side, object mode) to output bytes. */
  createStream(): Transform;
}

/** Loads the schema, resolves every type and checks the message type; throws `ConfigError`. */
export async function loadProtobufEncoder(
  format: ProtobufFormat,
  options: { schemasDir?: string; field?: string } = {},
): Promise<ProtobufEncoder> {
  const field = options.field ?? "format";
  validateProtobufFormat(field, format);
  const schemasDir = options.schemasDir ?? SCHEMAS_DIR;
  const root = new protobuf.Root();
  // Imports resolve inside the schemas directory only.
  root.resolvePath = (_origin, target) => {
    const path = isAbsolute(target) ? target : join(schemasDir, target);
    const rel = relative(schemasDir, path);
    return rel.startsWith("..") ? null : path;
  };
  try {
    // keepCase: record keys are the .proto field names (snake_case), as partners document them.
    await root.load(format.schema, { keepCase: true });
    root.resolveAll();
  } catch (err) {
    throw new ConfigError(`\`${field}.schema\` is "${format.schema}": cannot load it from ${schemasDir}: ${(err as Error).message}`, {
      cause: err,
      context: { field: `${field}.schema` },
    });
  }
  let messageType: protobuf.Type;
  try {
    messageType = root.lookupType(format.messageType);
  } catch (err) {
    throw new ConfigError(`\`${field}.messageType\` is "${format.messageType}": no such message type in ${format.schema}`, {
      cause: err,
      context: { field: `${field}.messageType` },
    });
  }
  const delimited = format.delimited ?? true;
  if (delimited) return encoderFor(format, messageType, (bytes) => withLengthPrefix(bytes));

  const repeated = messageType.fieldsArray.filter((f) => f.repeated && f.resolvedType instanceof protobuf.Type);
  if (repeated.length !== 1 || messageType.fieldsArray.length !== 1) {
    throw new ConfigError(
      `\`${field}.messageType\` is "${format.messageType}": with \`delimited: false\` it must be a container with exactly one field, a repeated message (e.g. \`partner.v1.RecordBatch\`)`,
      { context: { field: `${field}.messageType` } },
    );
  }
  const container = repeated[0]!;
  // Tag of a length-delimited field: (field number << 3) | wire type 2.
  const tag = protobuf.Writer.create()
    .uint32((container.id << 3) | 2)
    .finish();
  return encoderFor(format, container.resolvedType as protobuf.Type, (bytes) => Buffer.concat([tag, withLengthPrefix(bytes)]));
}

function withLengthPrefix(bytes: Uint8Array): Buffer {
  return Buffer.concat([protobuf.Writer.create().uint32(bytes.length).finish(), bytes]);
}

function encoderFor(format: ProtobufFormat, recordType: protobuf.Type, frame: (bytes: Uint8Array) => Buffer): ProtobufEncoder {
  const known = new Set(recordType.fieldsArray.map((f) => f.name));
  // fullName carries a leading dot (".partner.v1.Record"); messages use the name as configured.
  const typeName = recordType.fullName.replace(/^\./, "");
  const encodeRecord = (record: unknown, index = 0): Buffer => {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new PermanentError(`record ${index + 1} is not an object`, { context: { messageType: typeName, record: index + 1 } });
    }
    // Unknown keys would be dropped silently by the encoder: a mapping bug, so refuse them.
    const unknown = Object.keys(record).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new PermanentError(`record ${index + 1} has fields not in ${typeName}: ${unknown.join(", ")}`, {
        context: { messageType: typeName, record: index + 1 },
      });
    }
    // 64-bit integers: decimal strings (the proto3 JSON mapping) become Longs; unsafe numbers are refused.
    const message = normalizeInt64(recordType, record as Record<string, unknown>, index + 1);
    const problem = recordType.verify(message);
    if (problem) {
      throw new PermanentError(`record ${index + 1} does not fit ${typeName}: ${problem}`, {
        context: { messageType: typeName, record: index + 1 },
      });
    }
    return frame(recordType.encode(recordType.fromObject(message)).finish());
  };
  return {
    format,
    recordType,
    encodeRecord,
    createStream() {
      let index = 0;
      return new Transform({
        writableObjectMode: true,
        transform(record: unknown, _enc: BufferEncoding, callback: TransformCallback) {
          try {
            callback(null, encodeRecord(record, index++));
          } catch (err) {
            callback(err as Error);
          }
        },
      });
    },
  };
}
