/** Checks `LogArchive` settings and settles the defaults. Plain function: testable without Pulumi. */
import { LOG_ARCHIVE_DEFAULTS, type LogArchiveSettings, type SettledLogArchiveSettings } from "./args";

/** A wrong setting; `field` is the settings key, so the stack config maps it to `jobworker:logging.archive.<field>`. */
export class LogArchiveArgsError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`LogArchive: \`${field}\` ${detail}`);
    this.name = "LogArchiveArgsError";
  }
}

function whole(field: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new LogArchiveArgsError(field, `is ${JSON.stringify(value)}; use a whole number of ${unit} from ${min} to ${max}`);
}

export function settleLogArchiveSettings(s: LogArchiveSettings): SettledLogArchiveSettings {
  const d = LOG_ARCHIVE_DEFAULTS;
  const settled = {
    glacierIrAfterDays: s.glacierIrAfterDays ?? d.glacierIrAfterDays,
    deepArchiveAfterDays: s.deepArchiveAfterDays ?? d.deepArchiveAfterDays,
    expireAfterDays: s.expireAfterDays,
    bufferSeconds: s.bufferSeconds ?? d.bufferSeconds,
    bufferMiB: s.bufferMiB ?? d.bufferMiB,
    queryScanLimitGiB: s.queryScanLimitGiB ?? d.queryScanLimitGiB,
  };
  whole("glacierIrAfterDays", settled.glacierIrAfterDays, 0, 36500, "days");
  whole("deepArchiveAfterDays", settled.deepArchiveAfterDays, 0, 36500, "days");
  // S3 bills an object in Glacier Instant Retrieval for at least 90 days (minimum storage duration):
  // moving it on sooner pays for days twice.
  if (settled.deepArchiveAfterDays < settled.glacierIrAfterDays + 90)
    throw new LogArchiveArgsError(
      "deepArchiveAfterDays",
      `is ${settled.deepArchiveAfterDays}; Glacier Instant Retrieval bills at least 90 days per object, so use at least glacierIrAfterDays + 90 (${settled.glacierIrAfterDays + 90})`,
    );
  if (settled.expireAfterDays !== undefined) {
    whole("expireAfterDays", settled.expireAfterDays, 1, 36500, "days");
    // Deep Archive's minimum storage duration is 180 days: deleting sooner is billed as if kept.
    if (settled.expireAfterDays < settled.deepArchiveAfterDays + 180)
      throw new LogArchiveArgsError(
        "expireAfterDays",
        `is ${settled.expireAfterDays}; Deep Archive bills at least 180 days per object, so use at least deepArchiveAfterDays + 180 (${settled.deepArchiveAfterDays + 180}) or lower deepArchiveAfterDays`,
      );
  }
  whole("bufferSeconds", settled.bufferSeconds, 60, 900, "seconds");
  whole("bufferMiB", settled.bufferMiB, 64, 128, "MiB (dynamic partitioning needs at least 64)");
  whole("queryScanLimitGiB", settled.queryScanLimitGiB, 1, 10240, "GiB");
  return settled;
}
