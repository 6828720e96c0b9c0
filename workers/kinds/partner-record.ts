/**
 * One partner record as `partner.v1.Record` (workers/schemas/partner/v1/record.proto) takes it: what
 * feed-normalize writes as NDJSON and partner-protobuf-sftp encodes.
 */
export interface PartnerRecord {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  readonly price_minor: number;
  readonly currency: string;
  readonly updated_at: string;
  readonly attributes: Readonly<Record<string, string>>;
}
