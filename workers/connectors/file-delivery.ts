/**
 * Partner file delivery around any file connector (`s3`, `sftp`, `ftp`): packages the payload on the
 * scratch disk (records counted, compressed, OpenPGP-encrypted, hashed; `packaging.ts`), names it by
 * the binding's `fileName` template, then delivers through the connector, in this order: the payload,
 * its checksum sidecars, its trigger file. A receiver that waits for the trigger file therefore sees
 * the payload and sidecars complete; each of them arrives atomically by the connector's `arrival`.
 *
 * Idempotence: every name part comes from what a redelivery repeats (key, event time, id, the bytes).
 * gzip and zip output is the same for the same input (gzip's header time is 0; a zip entry's time is
 * the event time); OpenPGP output is not (a fresh session key each time), which is why the schema
 * refuses `{sha256}` in the name of an encrypted payload.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { TemplatePart } from "../../catalog/file-name-template";
import { placeholdersOf } from "../../catalog/file-name-template";
import type { S3OutputBinding, SftpOutputBinding, FtpOutputBinding } from "../../catalog/contract";
import { compileTemplate, renderFileName, type FileNameContext } from "./file-name";
import { packageFile, type PackagedFile } from "./packaging";
import type { PgpEncryptor } from "./pgp";
import type { Connector, Delivery, DeliveryResult } from "./types";

type FileBinding = S3OutputBinding | SftpOutputBinding | FtpOutputBinding;

export const FILE_DELIVERY_DEFAULTS = { timeZone: "UTC", triggerName: "{file}.done", triggerContent: "empty" } as const;

export interface FileDeliveryDeps {
  /** Where packaged payloads are written (and removed after delivery). */
  readonly scratchDir: string;
  /** The binding's keyring, when it sets `pgpPublicKeySecret`. */
  readonly pgp?: PgpEncryptor;
  /** How errors name the binding: `JOBWORKER_OUTPUTS.partner`. @default "binding" */
  readonly fieldPrefix?: string;
}

/** Whether a binding sets any field this wrapper acts on. */
export function usesFileDelivery(binding: FileBinding): boolean {
  return (
    binding.fileName !== undefined ||
    binding.compression !== undefined ||
    binding.pgpPublicKeySecret !== undefined ||
    (binding.checksumFiles?.length ?? 0) > 0 ||
    binding.triggerFile !== undefined
  );
}

const EXTENSIONS = { gzip: ".gz", zip: ".zip" } as const;

/** Wraps `transport` (a connector built from `binding`) with the binding's file-delivery fields. */
export function withFileDelivery(transport: Connector, deps: FileDeliveryDeps): Connector {
  const binding = transport.binding as FileBinding;
  const prefix = deps.fieldPrefix ?? "binding";
  const timeZone = binding.timeZone ?? FILE_DELIVERY_DEFAULTS.timeZone;
  const fileName = binding.fileName === undefined ? undefined : compileTemplate(binding.fileName, `${prefix}.fileName`);
  const zipEntry = binding.zipEntryName === undefined ? undefined : compileTemplate(binding.zipEntryName, `${prefix}.zipEntryName`);
  const trigger =
    binding.triggerFile === undefined
      ? undefined
      : {
          name: compileTemplate(binding.triggerFile.name ?? FILE_DELIVERY_DEFAULTS.triggerName, `${prefix}.triggerFile.name`, true),
          content: binding.triggerFile.content ?? FILE_DELIVERY_DEFAULTS.triggerContent,
        };
  const used = new Set([...placeholdersOf(fileName ?? []), ...placeholdersOf(trigger?.name ?? [])]);
  // A pass over the payload is needed to transform it, or to know its hash or record count.
  const needsPass =
    binding.compression !== undefined ||
    deps.pgp !== undefined ||
    used.has("sha256") ||
    used.has("records") ||
    (binding.checksumFiles?.length ?? 0) > 0 ||
    trigger?.content === "sha256";

  const render = (parts: readonly TemplatePart[], context: FileNameContext, field: string) =>
    renderFileName(parts, context, timeZone, `${prefix}.${field}`);

  /** The delivered name without a template: the runtime's name and what packaging adds. */
  function defaultName(name: string): string {
    const compressed = binding.compression === undefined ? name : `${name}${EXTENSIONS[binding.compression]}`;
    return deps.pgp === undefined ? compressed : `${compressed}${binding.pgpArmor === true ? ".asc" : ".pgp"}`;
  }

  async function deliverSmall(delivery: Delivery, name: string, body: string, suffix: string): Promise<DeliveryResult> {
    const bytes = Buffer.from(body, "utf8");
    return transport.deliver({
      name,
      open: () => Readable.from([bytes]),
      size: bytes.length,
      contentType: "text/plain; charset=utf-8",
      idempotencyKey: `${delivery.idempotencyKey}-${suffix}`,
      signal: delivery.signal,
    });
  }

  return {
    type: transport.type,
    binding: transport.binding,
    close: () => transport.close(),
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      const naming = delivery.naming;
      const base: FileNameContext = {
        key: naming?.key ?? delivery.name,
        eventTime: naming?.eventTime,
        id: delivery.idempotencyKey,
        slot: naming?.slot ?? "",
        records: naming?.records,
      };
      let packaged: PackagedFile | undefined;
      const packagePath = join(deps.scratchDir, `package-${randomBytes(6).toString("hex")}`);
      try {
        if (needsPass) {
          const entry =
            zipEntry === undefined
              ? `${render([{ placeholder: "stem" }], base, "zipEntryName")}${naming?.extension ?? ""}`
              : render(zipEntry, base, "zipEntryName");
          const eventTime = naming?.eventTime === undefined ? undefined : new Date(naming.eventTime);
          packaged = await packageFile(delivery.open(), packagePath, {
            compression: binding.compression,
            zipEntryName: entry,
            mtime: eventTime !== undefined && !Number.isNaN(eventTime.getTime()) ? eventTime : undefined,
            pgp: deps.pgp,
            signal: delivery.signal,
          });
        }
        const context: FileNameContext = { ...base, records: base.records ?? packaged?.records, sha256: packaged?.sha256 };
        const name = fileName === undefined ? defaultName(delivery.name) : render(fileName, context, "fileName");
        const path = packaged?.path;
        const result = await transport.deliver({
          ...delivery,
          name,
          ...(path === undefined
            ? {}
            : {
                open: () => createReadStream(path),
                openRange: (start: number, end: number) => createReadStream(path, { start, end: end - 1 }),
                size: packaged!.size,
                contentType: contentTypeOf(binding, deps.pgp !== undefined) ?? delivery.contentType,
              }),
        });
        // Sidecars and the trigger file name the payload by its base name, as `sha256sum -c` beside it expects.
        const file = name.slice(name.lastIndexOf("/") + 1);
        for (const algorithm of binding.checksumFiles ?? []) {
          await deliverSmall(delivery, `${name}.${algorithm}`, `${packaged![algorithm]}  ${file}\n`, algorithm);
        }
        if (trigger !== undefined) {
          const triggerName = render(trigger.name, { ...context, file: name }, "triggerFile.name");
          const body =
            trigger.content === "size" ? `${result.bytes}\n` : trigger.content === "sha256" ? `${packaged!.sha256}  ${file}\n` : "";
          await deliverSmall(delivery, triggerName, body, "trigger");
        }
        return result;
      } finally {
        if (needsPass) await rm(packagePath, { force: true });
      }
    },
  };
}

/** The packaged payload's media type: what it is on the outside. */
function contentTypeOf(binding: FileBinding, encrypted: boolean): string | undefined {
  if (encrypted) return binding.pgpArmor === true ? "application/pgp-encrypted" : "application/octet-stream";
  if (binding.compression === "gzip") return "application/gzip";
  if (binding.compression === "zip") return "application/zip";
  return undefined;
}
