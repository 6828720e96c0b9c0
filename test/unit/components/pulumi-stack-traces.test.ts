import assert from "node:assert/strict";
import { runInThisContext } from "node:vm";
import { installFastPulumiStackTraces } from "../../../components/pulumi-stack-traces";

describe("installFastPulumiStackTraces", () => {
  const original = Error.prepareStackTrace;
  let mappedCalls = 0;
  beforeEach(() => {
    mappedCalls = 0;
    Error.prepareStackTrace = (error: Error) => {
      mappedCalls++;
      return `mapped ${error.message}`;
    };
  });
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  /** A stack captured with its top frame in a file of the given name, as the SDK's would be. */
  const stackFrom = (filename: string) => runInThisContext("(function capture() { return new Error('x').stack; })()", { filename }) as string;

  it("formats the Pulumi SDK's promise bookkeeping traces without source-map mapping", () => {
    installFastPulumiStackTraces();
    const stack = stackFrom("/app/node_modules/@pulumi/pulumi/runtime/debuggable.js");
    assert.equal(mappedCalls, 0);
    assert.match(stack, /^Error: x\n    at capture \(\/app\/node_modules\/@pulumi\/pulumi\/runtime\/debuggable\.js:1:\d+\)/);
  });

  it("keeps the mapping for every other stack trace, and wraps only once when installed twice", () => {
    installFastPulumiStackTraces();
    installFastPulumiStackTraces();
    assert.equal(stackFrom("/app/components/job-worker/job-worker.ts"), "mapped x");
    assert.equal(stackFrom("/app/node_modules/@pulumi/pulumi/resource.js"), "mapped x");
    assert.equal(mappedCalls, 2, "one mapping call per trace: the wrapper did not wrap itself");
  });

  it("does nothing without source-map support", () => {
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    installFastPulumiStackTraces();
    assert.equal(Error.prepareStackTrace, undefined);
  });
});
