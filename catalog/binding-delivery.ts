/**
 * Partner file delivery: the binding fields that shape a file before and around its transfer, for the
 * `s3`, `sftp` and `ftp` bindings of `catalog/bindings.ts` (which spreads these shapes into its
 * members, so the stack config and `JOBWORKER_OUTPUTS` check them by the same schema): the file's name
 * (a template), compression, OpenPGP encryption and signing, checksum sidecars, a trigger file, and
 * (`sftp`, `ftp`) how a file arrives under its final name. docs/connectors.md documents each field.
 */
import { z } from "zod";
import { FILE_NAME_PLACEHOLDERS, parseFileNameTemplate, TRIGGER_NAME_PLACEHOLDERS } from "./file-name-template";

const PAYLOAD_PLACEHOLDERS = Object.keys(FILE_NAME_PLACEHOLDERS);
const TRIGGER_PLACEHOLDERS = [...PAYLOAD_PLACEHOLDERS, ...Object.keys(TRIGGER_NAME_PLACEHOLDERS)];
/** A zip entry is named before the archive exists: no hash of the delivered bytes. */
const ZIP_ENTRY_PLACEHOLDERS = PAYLOAD_PLACEHOLDERS.filter((p) => p !== "sha256");

function template(allowed: readonly string[]) {
  return z.string({ error: "give a file name template, e.g. `ACME_{date}_{stem}.csv`" }).superRefine((t, ctx) => {
    const parsed = parseFileNameTemplate(t, allowed);
    if (parsed.problem !== undefined) ctx.addIssue({ code: "custom", message: parsed.problem });
  });
}

/** Whether a name is a valid IANA time zone for `Intl.DateTimeFormat`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The secret fields of file delivery: OpenPGP keys, read only by partner file delivery. */
export const PGP_SECRET_FIELDS: readonly string[] = ["pgpPublicKeySecret", "pgpSigningKeySecret", "pgpPassphraseSecret"];

export const CHECKSUM_ALGORITHMS = ["sha256", "md5"] as const;
export const ARRIVAL_MODES = ["rename", "temp-prefix", "temp-suffix", "final-name-then-verify-size"] as const;
export type ArrivalMode = (typeof ARRIVAL_MODES)[number];
/** The affix of `temp-prefix` and `temp-suffix` when `tempAffix` is not set. */
export const DEFAULT_TEMP_AFFIX = { "temp-prefix": "tmp-", "temp-suffix": ".part" } as const;

const triggerFileSchema = z.strictObject(
  {
    /** Name template of the trigger file; `{file}` is the payload's delivered name. @default "{file}.done" */
    name: template(TRIGGER_PLACEHOLDERS).optional(),
    /** `empty`, `size` (the payload's bytes, decimal), or `sha256` (`<hex>  <file>`, as `sha256sum` prints). @default "empty" */
    content: z.enum(["empty", "size", "sha256"], { error: 'use "empty", "size" or "sha256"' }).optional(),
  },
  { error: 'give `{ name?: "{file}.done", content?: "empty" | "size" | "sha256" }`' },
);

/**
 * The fields every file-delivering binding (`s3`, `sftp`, `ftp`) takes. `secretRef` makes a secret
 * reference field as `catalog/bindings.ts` does for the binding's site.
 */
export function fileDeliveryFields(secretRef: () => z.ZodType<string>) {
  return {
    /** Name template of the delivered file (catalog/file-name-template.ts). @default `<key's folders>/<stem>.<16 hex of the input's digest><extension>` */
    fileName: template(PAYLOAD_PLACEHOLDERS).optional(),
    /** IANA time zone of the template's date and time (from the event time). @default "UTC" */
    timeZone: z
      .string({ error: "use an IANA time zone, e.g. `Europe/Berlin`" })
      .refine(isTimeZone, "not a time zone Intl knows; use an IANA time zone, e.g. `Europe/Berlin`")
      .optional(),
    /** Compress the payload: `gzip`, or `zip` (one entry). @default none */
    compression: z.enum(["gzip", "zip"], { error: 'use "gzip" or "zip"' }).optional(),
    /** Name template of the zip's one entry (no `{sha256}`). @default "{stem}" and the handler's extension */
    zipEntryName: template(ZIP_ENTRY_PLACEHOLDERS).optional(),
    /** The partner's OpenPGP public key (ASCII-armoured), by reference: encrypt the payload to it. @default not encrypted */
    pgpPublicKeySecret: secretRef().optional(),
    /** Our OpenPGP private key (ASCII-armoured), by reference: sign what is encrypted. @default not signed */
    pgpSigningKeySecret: secretRef().optional(),
    /** The signing key's passphrase, by reference. @default the key has none */
    pgpPassphraseSecret: secretRef().optional(),
    /** ASCII-armour the OpenPGP message (`.asc`) instead of binary (`.pgp`). @default false */
    pgpArmor: z.boolean({ error: "use true or false" }).optional(),
    /** Sidecar files `<file>.sha256` / `<file>.md5`, one line `<hex>  <file>` (GNU coreutils). @default none */
    checksumFiles: z
      .array(z.enum(CHECKSUM_ALGORITHMS, { error: 'use "sha256" or "md5"' }), { error: 'give a list, e.g. ["sha256"]' })
      .refine((a) => new Set(a).size === a.length, "list each algorithm once")
      .optional(),
    /** A trigger file delivered after the payload and its sidecars. @default none */
    triggerFile: triggerFileSchema.optional(),
  };
}

/** The fields of bindings to remote file servers (`sftp`, `ftp`): how a file arrives. */
export function arrivalFields() {
  return {
    /**
     * How the file takes its final name: `rename` (a hidden temporary name, then rename), `temp-prefix` /
     * `temp-suffix` (a visible temporary name, then rename, for servers that forbid dot files),
     * `final-name-then-verify-size` (written under its final name, then its size checked, for servers
     * without rename). @default "rename"
     */
    arrival: z.enum(ARRIVAL_MODES, { error: `use one of ${ARRIVAL_MODES.map((m) => `"${m}"`).join(", ")}` }).optional(),
    /** The temporary prefix (`temp-prefix`) or suffix (`temp-suffix`). @default "tmp-" / ".part" */
    tempAffix: z
      .string({ error: "give a prefix or suffix, e.g. `tmp-` or `.part`" })
      .refine(
        // eslint-disable-next-line no-control-regex
        (a) => a !== "" && a.length <= 16 && !/[/\\\x00-\x1f\x7f]/.test(a),
        "give a prefix or suffix of 1 to 16 characters without `/`, `\\` or control characters",
      )
      .optional(),
  };
}

interface FileDeliveryValues {
  readonly type: string;
  readonly secure?: boolean | "implicit";
  readonly fileName?: string;
  readonly triggerFile?: { readonly name?: string; readonly content?: string };
  readonly compression?: string;
  readonly zipEntryName?: string;
  readonly pgpPublicKeySecret?: string;
  readonly pgpSigningKeySecret?: string;
  readonly pgpPassphraseSecret?: string;
  readonly pgpArmor?: boolean;
  readonly arrival?: string;
  readonly tempAffix?: string;
}

/** The rules across file-delivery fields; call from the binding's `superRefine`. */
export function checkFileDelivery(b: FileDeliveryValues, ctx: z.RefinementCtx): void {
  const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
  if (b.zipEntryName !== undefined && b.compression !== "zip") issue("zipEntryName", 'remove it, or set `compression: "zip"`');
  if (b.pgpSigningKeySecret !== undefined && b.pgpPublicKeySecret === undefined) {
    issue("pgpSigningKeySecret", "set `pgpPublicKeySecret` too: the payload is signed as it is encrypted");
  }
  if (b.pgpPassphraseSecret !== undefined && b.pgpSigningKeySecret === undefined) {
    issue("pgpPassphraseSecret", "remove it, or set `pgpSigningKeySecret` (the passphrase unlocks the signing key)");
  }
  // OpenPGP output differs on every run (a fresh session key): a name from its hash would differ on redelivery.
  for (const [field, t] of [
    ["fileName", b.fileName],
    ["triggerFile.name", b.triggerFile?.name],
  ] as const) {
    if (b.pgpPublicKeySecret !== undefined && t !== undefined && /\{sha256[:}]/.test(t)) {
      ctx.addIssue({
        code: "custom",
        path: field.split("."),
        message: "an encrypted payload's bytes differ on each delivery, so {sha256} would rename it on redelivery; use {id}",
      });
    }
  }
  if (b.pgpArmor !== undefined && b.pgpPublicKeySecret === undefined) issue("pgpArmor", "remove it, or set `pgpPublicKeySecret`");
  // vsftpd (and proftpd, by lftp's and others' reports) break the TLS data connection of an empty upload.
  if (b.type === "ftp" && b.secure !== false && b.triggerFile !== undefined && (b.triggerFile.content ?? "empty") === "empty") {
    ctx.addIssue({
      code: "custom",
      path: ["triggerFile", "content"],
      message: 'set "size" or "sha256": FTPS servers such as vsftpd fail an empty file\'s TLS data connection',
    });
  }
  if (b.tempAffix !== undefined && b.arrival !== "temp-prefix" && b.arrival !== "temp-suffix") {
    issue("tempAffix", 'remove it, or set `arrival: "temp-prefix"` or `"temp-suffix"`');
  }
}
