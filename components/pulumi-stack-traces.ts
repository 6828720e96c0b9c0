/**
 * Faster program construction under ts-node (how `pulumi preview`/`up` run a TypeScript program).
 *
 * The Pulumi SDK records `new Error().stack` for every promise it creates (one per input property,
 * `runtime/debuggable.js`), only to print it when it diagnoses leaked promises. ts-node installs
 * source-map-support, which maps every frame of every such trace through the source maps: measured
 * with `bench/synth.bench.ts`, that is about two thirds of the time to build the program (50 workers:
 * 10.0 s with the mapping, 3.3 s without). This keeps the mapping for every other stack trace (errors,
 * and the source position Pulumi records once per resource) and formats only the SDK's promise
 * bookkeeping traces the way V8 does by default.
 */
const PROMISE_BOOKKEEPING = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

type PrepareStackTrace = ((error: Error, stack: NodeJS.CallSite[]) => unknown) & { [WRAPPED]?: true };
/** Marks the wrapper, so installing twice (a module re-imported) does not wrap it again. */
const WRAPPED = Symbol.for("jobworker.fastPulumiStackTraces");

/** Installs the wrapper once per process; harmless when no source-map support is active. */
export function installFastPulumiStackTraces(): void {
  const mapped = Error.prepareStackTrace as PrepareStackTrace | undefined;
  if (mapped === undefined || mapped[WRAPPED]) return;
  const wrapper: PrepareStackTrace = (error: Error, stack: NodeJS.CallSite[]) => {
    if (stack.length > 0 && PROMISE_BOOKKEEPING.test(stack[0].getFileName() ?? "")) {
      return `${error.name}: ${error.message}${stack.map((frame) => `\n    at ${frame}`).join("")}`;
    }
    return mapped(error, stack);
  };
  wrapper[WRAPPED] = true;
  Error.prepareStackTrace = wrapper;
}
