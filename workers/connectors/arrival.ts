/**
 * How a file arrives under its final name on an SFTP or FTP server (the binding's `arrival`):
 * - `rename`: written under a hidden, unique temporary name (`.<name>.<12 hex>.part`), then renamed.
 * - `temp-prefix` / `temp-suffix`: written under `<tempAffix><name>` / `<name><tempAffix>` (no leading
 *   dot, for servers that forbid dot files; a partner's pickup job ignores the affix), then renamed.
 * - `final-name-then-verify-size`: written under the final name, for servers without rename; the
 *   size check after the upload is what tells a complete file from a partial one, so a receiver must
 *   wait for a trigger file (`triggerFile`) or for the name to settle.
 * Every mode checks the uploaded size before the file takes (or keeps) its final name.
 */
import { posix } from "node:path";
import { DEFAULT_TEMP_AFFIX, type ArrivalMode } from "../../catalog/binding-delivery";
import { remotePaths, sanitizeRemoteName } from "./remote-path";

export interface ArrivalPaths {
  /** Where the file ends up. */
  readonly final: string;
  /** Where it is written; equal to `final` when `rename` is false. */
  readonly upload: string;
  /** Rename `upload` to `final` after the size check. */
  readonly rename: boolean;
}

export function arrivalPaths(directory: string, name: string, arrival: { arrival?: ArrivalMode; tempAffix?: string }): ArrivalPaths {
  const mode = arrival.arrival ?? "rename";
  switch (mode) {
    case "rename": {
      const { final, temp } = remotePaths(directory, name);
      return { final, upload: temp, rename: true };
    }
    case "temp-prefix":
    case "temp-suffix": {
      const file = sanitizeRemoteName(name);
      const affix = arrival.tempAffix ?? DEFAULT_TEMP_AFFIX[mode];
      const temp = mode === "temp-prefix" ? `${affix}${file}` : `${file}${affix}`;
      return { final: posix.join(directory, file), upload: posix.join(directory, temp), rename: true };
    }
    case "final-name-then-verify-size": {
      const final = posix.join(directory, sanitizeRemoteName(name));
      return { final, upload: final, rename: false };
    }
  }
}
