/**
 * `jobworker:logging.archive`: the long-term log archive (CloudWatch Logs → Firehose → S3, Athena).
 * Present (even `{}`) means on. Shapes here; ranges and the storage-class order are checked by the
 * component's `settleLogArchiveSettings`, reported under `jobworker:logging.archive.<field>`.
 */
import { z } from "zod";

const days = z.number({ error: "expected a whole number of days" }).int("expected a whole number of days");

export const logArchiveSchema = z.strictObject(
  {
    glacierIrAfterDays: days.optional(),
    deepArchiveAfterDays: days.optional(),
    expireAfterDays: days.optional(),
    bufferSeconds: z.number({ error: "expected a whole number of seconds" }).int("expected a whole number of seconds").optional(),
    bufferMiB: z.number({ error: "expected a whole number of MiB" }).int("expected a whole number of MiB").optional(),
    queryScanLimitGiB: z.number({ error: "expected a whole number of GiB" }).int("expected a whole number of GiB").optional(),
  },
  { error: "expected an object of archive settings ({} for the defaults)" },
);

export type LogArchiveConfig = z.infer<typeof logArchiveSchema>;
