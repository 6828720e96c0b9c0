import assert from "node:assert/strict";
import { renderFluentBitConfig } from "../../../components/spot-ecs-cluster/log-collector-spec";

describe("log collector config (Fluent Bit)", () => {
  const output = renderFluentBitConfig().split("[OUTPUT]")[1]!;
  const setting = (key: string) => output.match(new RegExp(`^\\s+${key}\\s+(\\S+)$`, "m"))?.[1];

  it("ships only the container's line (`log_key log`), so JSON fields and EMF envelopes reach CloudWatch Logs at the top level", () => {
    assert.equal(setting("log_key"), "log");
  });

  it("marks the events as Embedded Metric Format (`log_format json/emf`)", () => {
    assert.equal(setting("log_format"), "json/emf");
  });
});
