/**
 * The worker kinds, found by name: kind `<name>` is the `WorkerKind` that
 * `workers/kinds/<name>/handler` exports. Nothing here imports a kind: a worker image holds the
 * runtime and only its own kind's folder (workers/Dockerfile), so a kind is loaded when it is run.
 * `jobworker run <worker>` loads one; `jobworker kinds` lists the kinds this build holds; a test
 * checks every catalog kind has a handler in a checkout.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WORKER_NAME_PATTERN } from "../../catalog/contract";
import { ConfigError } from "../errors";
import type { WorkerKind } from "../runtime/types";

/** Where the kinds' folders are: next to this module (sources in a checkout, compiled in an image). */
export const KINDS_DIR = __dirname;

/** A kind folder's module that exports the kind (`handler.ts` in a checkout, `handler.js` compiled). */
const HANDLER_MODULE = "handler";

function isWorkerKind(value: unknown): value is WorkerKind {
  const kind = value as Partial<WorkerKind> | null;
  return typeof kind === "object" && kind !== null && typeof kind.handler === "function" && typeof kind.definition?.name === "string";
}

/** The names of the kinds under `dir`: folders with a handler module, sorted. */
export function workerKindNames(dir: string = KINDS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) =>
        e.isDirectory() &&
        WORKER_NAME_PATTERN.test(e.name) &&
        [".ts", ".js"].some((ext) => existsSync(join(dir, e.name, `${HANDLER_MODULE}${ext}`))),
    )
    .map((e) => e.name)
    .sort();
}

/**
 * The kind named `name`, from `<dir>/<name>/handler`: the one `WorkerKind` it exports (made with
 * `defineWorker`) whose definition has that name. `ConfigError` naming the kinds there otherwise.
 */
export function loadWorkerKind(name: string, dir: string = KINDS_DIR): WorkerKind {
  const known = workerKindNames(dir);
  if (!known.includes(name)) {
    const list = known.length === 0 ? "none" : known.map((k) => `\`${k}\``).join(", ");
    throw new ConfigError(
      `unknown worker \`${name}\`: known workers are ${list} (a kind is a folder workers/kinds/<name>/ with a handler module)`,
      { context: { worker: name } },
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported: Record<string, unknown> = require(join(dir, name, HANDLER_MODULE));
  const kinds = Object.values(exported).filter(isWorkerKind);
  const own = kinds.filter((k) => k.definition.name === name);
  if (own.length !== 1) {
    const found = kinds.map((k) => `\`${k.definition.name}\``).join(", ") || "no WorkerKind";
    throw new ConfigError(
      `workers/kinds/${name}/${HANDLER_MODULE} must export exactly one \`defineWorker(...)\` whose definition is named \`${name}\`; it exports ${found}`,
      { context: { worker: name } },
    );
  }
  return own[0]!;
}

/** Every kind under `dir`, loaded, in name order. */
export function loadWorkerKinds(dir: string = KINDS_DIR): WorkerKind[] {
  return workerKindNames(dir).map((name) => loadWorkerKind(name, dir));
}
