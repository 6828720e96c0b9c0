import assert from "node:assert/strict";
import { installTracelessPulumiPromises } from "../../../components/pulumi-stack-traces";

/** A stand-in for the SDK module: records the stack trace depth each wrapped promise was given. */
function fakeDebuggable() {
  const traces: string[] = [];
  const module = {
    debuggablePromise: <T>(p: Promise<T>, _ctx: unknown): Promise<T> => {
      traces.push(new Error("bookkeeping").stack ?? "");
      return p;
    },
  };
  return { module, traces };
}

const frames = (stack: string) => stack.split("\n").filter((line) => line.trimStart().startsWith("at ")).length;

describe("installTracelessPulumiPromises", () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it("makes the SDK's promise bookkeeping capture no stack frames, and restores the limit after each call", async () => {
    const { module, traces } = fakeDebuggable();
    const limit = Error.stackTraceLimit;
    assert.equal(installTracelessPulumiPromises({}, module), true);
    assert.equal(await module.debuggablePromise(Promise.resolve(7), "ctx"), 7, "the promise passes through");
    assert.equal(frames(traces[0]), 0);
    assert.equal(Error.stackTraceLimit, limit);
    assert.ok(frames(new Error("other").stack ?? "") > 0, "every other error keeps its frames");
  });

  it("restores the limit when the SDK's function throws", () => {
    const limit = Error.stackTraceLimit;
    const module = {
      debuggablePromise: (): Promise<never> => {
        throw new Error("boom");
      },
    };
    installTracelessPulumiPromises({}, module);
    assert.throws(() => module.debuggablePromise(), /boom/);
    assert.equal(Error.stackTraceLimit, limit);
  });

  it("keeps the traces when PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
    const { module, traces } = fakeDebuggable();
    assert.equal(installTracelessPulumiPromises({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }, module), false);
    await module.debuggablePromise(Promise.resolve(1), "ctx");
    assert.ok(frames(traces[0]) > 0);
  });

  it("wraps only once when installed twice", async () => {
    const { module } = fakeDebuggable();
    installTracelessPulumiPromises({}, module);
    const once = module.debuggablePromise;
    installTracelessPulumiPromises({}, module);
    assert.equal(module.debuggablePromise, once);
  });

  it("finds the function in the pinned Pulumi SDK (the patch would silently stop working after a rename)", () => {
    const sdk = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise?: unknown };
    const before = sdk.debuggablePromise;
    // Leaves the SDK as this test found it (wrapped only if the program had wrapped it already).
    restore = () => {
      sdk.debuggablePromise = before;
    };
    assert.equal(typeof sdk.debuggablePromise, "function");
    assert.equal(installTracelessPulumiPromises({}), true);
    assert.equal((sdk.debuggablePromise as Record<symbol, unknown>)[Symbol.for("jobworker.tracelessPulumiPromises")], true);
  });
});
