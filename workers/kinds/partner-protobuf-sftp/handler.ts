/**
 * `partner-protobuf-sftp`: normalised NDJSON records → the partner's `partner.v1.Record` shape, one
 * record per line; the runtime encodes them as length-delimited Protocol Buffers (the slot binding's
 * `format`) and the SFTP connector delivers the file. Keys outside the schema are carried in
 * `attributes` rather than dropped. A record that does not fit is a permanent failure: the upstream
 * stage validated it, so a bad record is a bug to look at, not a file to half-deliver.
 */
import type { Readable } from "node:stream";
import { partnerProtobufSftp } from "../../../catalog/kinds";
import { PermanentError } from "../../errors";
import { endStream, readNdjson, writeChunk } from "../../runtime/records";
import { defineWorker, type HandlerContext, type JobInput } from "../../runtime/types";
import { isCurrency } from "../money";
import type { PartnerRecord } from "../partner-record";

const FIELDS = new Set(["id", "sku", "quantity", "price_minor", "currency", "updated_at", "attributes"]);

/** Maps one NDJSON record to the partner shape; throws `PermanentError` naming the line and field. */
export function toPartnerRecord(record: Record<string, unknown>, line: number): PartnerRecord {
  const fail = (field: string, why: string) => new PermanentError(`line ${line}: \`${field}\` ${why}`, { context: { line, field } });
  const str = (field: string): string => {
    const v = record[field];
    if (typeof v !== "string" || v === "") throw fail(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const int = (field: string): number => {
    const v = record[field];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw fail(field, `must be a whole number, got ${JSON.stringify(v)}`);
    return v;
  };
  const currency = str("currency");
  if (!isCurrency(currency)) throw fail("currency", `must be an ISO 4217 code, got "${currency}"`);
  const attributes: Record<string, string> = {};
  const given = record.attributes;
  if (given !== undefined) {
    if (typeof given !== "object" || given === null || Array.isArray(given)) throw fail("attributes", "must be an object of strings");
    for (const [k, v] of Object.entries(given)) attributes[k] = String(v);
  }
  for (const [k, v] of Object.entries(record)) {
    if (!FIELDS.has(k) && v !== null && typeof v !== "object") attributes[k] = String(v);
  }
  return {
    id: str("id"),
    sku: str("sku"),
    quantity: int("quantity"),
    price_minor: int("price_minor"),
    currency,
    updated_at: str("updated_at"),
    attributes,
  };
}

export async function mapPartnerRecords(input: Readable, meta: JobInput, ctx: HandlerContext): Promise<void> {
  const out = ctx.output("partner", { extension: ".ndjson", contentType: "application/x-ndjson" });
  let count = 0;
  for await (const { record, lineNumber } of readNdjson(input, `${meta.bucket}/${meta.key}`)) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await writeChunk(out, `${JSON.stringify(toPartnerRecord(record, lineNumber))}\n`);
    count++;
  }
  await endStream(out);
  ctx.logger.info({ records: count }, "partner records mapped");
}

export const partnerProtobufSftpWorker = defineWorker(partnerProtobufSftp, mapPartnerRecords);
