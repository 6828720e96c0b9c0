/** The shell scripts shipped to instances, read from `bootstrap/files/` (shellchecked by the tests). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FILES_DIR = join(__dirname, "files");
export const WATCHER_SCRIPT_FILE = join(FILES_DIR, "spot-interruption-watcher.sh");
export const INSTANCE_STORE_SCRIPT_FILE = join(FILES_DIR, "instance-store.sh");

export function readWatcherScript(): string {
  return readFileSync(WATCHER_SCRIPT_FILE, "utf8");
}

export function readInstanceStoreScript(): string {
  return readFileSync(INSTANCE_STORE_SCRIPT_FILE, "utf8");
}
