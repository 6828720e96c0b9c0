/**
 * Faster program construction: the Pulumi SDK's promise bookkeeping without a stack trace per promise.
 *
 * The SDK wraps every promise it creates (one per input property, about 1,900 per JobWorker) in
 * `debuggablePromise` (`@pulumi/pulumi/runtime/debuggable.js`), which records `new Error().stack` on
 * it. That trace is printed only when the environment sets `PULUMI_DEBUG_PROMISE_LEAKS` and a promise
 * leaks; otherwise it is captured and never read. Capturing it is most of the program's construction
 * time: V8 walks the frames, and under ts-node (how `pulumi preview`/`up` run a TypeScript program)
 * source-map-support maps every frame through the source maps. Measured with `bench/synth.bench.ts`,
 * 50 workers: 8.5 s CPU with the traces, 2.9 s without.
 *
 * This wraps `debuggablePromise` so it captures no frames (`Error.stackTraceLimit = 0` around the
 * call) unless `PULUMI_DEBUG_PROMISE_LEAKS` is set. The bookkeeping itself is untouched: leaked
 * promises are still detected and reported at exit, only without the trace that the variable asks for.
 */
const DEBUG_PROMISE_LEAKS = "PULUMI_DEBUG_PROMISE_LEAKS";

type DebuggablePromise = (<T>(p: Promise<T>, ctx: unknown) => Promise<T>) & { [WRAPPED]?: true };
/** Marks the wrapper, so installing twice (a module re-imported) does not wrap it again. */
const WRAPPED = Symbol.for("jobworker.tracelessPulumiPromises");

/** The SDK module whose export the SDK's own modules call through (`debuggable_1.debuggablePromise(…)`). */
interface DebuggableModule {
  debuggablePromise?: DebuggablePromise;
}

/**
 * Installs the wrapper once per process. Returns whether the SDK's promises are traceless now: false
 * when `PULUMI_DEBUG_PROMISE_LEAKS` is set (the traces are wanted) or the SDK has no such function.
 */
export function installTracelessPulumiPromises(
  env: NodeJS.ProcessEnv = process.env,
  // The SDK's typings leave `debuggablePromise` out (@internal), so the module is required untyped.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  debuggable: DebuggableModule = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule,
): boolean {
  const original = debuggable.debuggablePromise;
  if (typeof original !== "function") return false;
  if (original[WRAPPED]) return true;
  if (env[DEBUG_PROMISE_LEAKS]) return false;
  const wrapper: DebuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  wrapper[WRAPPED] = true;
  debuggable.debuggablePromise = wrapper;
  return true;
}
