/**
 * The fleet is stable: a different cloud-config, or a new ECS-optimized AMI, changes no input of
 * the Spot Fleet request (so `pulumi up` never replaces it for them); only the S3 object, or the
 * launch template's next version, changes.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { startMocks } from "../../support/pulumi";
import { baseArgs } from "./spot-ecs-cluster.fixtures";
import type { SpotEcsClusterArgs } from "../../../components/spot-ecs-cluster/args";

const FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";

async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings");
  for (let i = 0; i < 5; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

/** Renders the component and returns the inputs of each resource by type. */
async function inputsByType(args: SpotEcsClusterArgs, amiId?: string): Promise<Record<string, Record<string, any>>> {
  if (amiId === undefined) {
    startMocks();
  } else {
    // Same mocks as test/support, but the public SSM parameter answers with the given AMI.
    void pulumi.runtime.setMocks(
      {
        newResource: (a) => ({
          id: `${a.name}-id`,
          state: {
            ...a.inputs,
            name: a.inputs.name ?? a.name,
            arn: `arn:aws:mock:::${a.name}`,
            bucketRegionalDomainName: `${a.name}-bucket.s3.ap-northeast-1.amazonaws.com`,
          },
        }),
        call: (c) =>
          c.token === "aws:ssm/getParameter:getParameter"
            ? { name: c.inputs.name, value: amiId, type: "String" }
            : { region: "ap-northeast-1", partition: "aws", ...c.inputs },
      },
      "jobworker",
      "test",
      false,
    );
  }
  const byType: Record<string, Record<string, any>> = {};
  const { SpotEcsCluster } = require("../../../components/spot-ecs-cluster");
  new SpotEcsCluster("jw", args, {
    transformations: [
      (t: pulumi.ResourceTransformationArgs) => {
        byType[t.type] = t.props;
        return undefined;
      },
    ],
  });
  await settle();
  // Resolve the Outputs among the props into plain values.
  const plain: Record<string, Record<string, any>> = {};
  for (const [type, props] of Object.entries(byType)) {
    plain[type] = await new Promise((r) => pulumi.output(props).apply((v) => r(v as Record<string, any>)));
  }
  return plain;
}

describe("SpotEcsCluster fleet stability", () => {
  it("keeps every Spot Fleet input identical when the cloud-config settings change", async () => {
    const before = await inputsByType(baseArgs());
    const after = await inputsByType(
      baseArgs({
        bootstrap: {
          sysctl: { "net.core.somaxconn": 65535, "kernel.pid_max": 4194304 },
          containerStopTimeoutSeconds: 90,
          ecsConfig: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "10m" },
          instanceStore: { enabled: false },
          interruptionWatcher: { intervalSeconds: 2, drainOnRebalance: false },
          packages: ["awscli-2", "jq"],
        },
      }),
    );
    assert.notEqual(after[OBJECT].content, before[OBJECT].content, "the cloud-config itself changed");
    assert.match(after[OBJECT].content, /kernel\.pid_max = 4194304/);
    assert.deepEqual(after[FLEET], before[FLEET]);
    assert.deepEqual(after[LT], before[LT], "not even a new launch template version");
  });

  it("keeps every Spot Fleet input identical when a new ECS-optimized AMI is published", async () => {
    const before = await inputsByType(baseArgs(), "ami-0aaaaaaaaaaaaaaaa");
    const after = await inputsByType(baseArgs(), "ami-0bbbbbbbbbbbbbbbb");
    assert.equal(before[LT].imageId, "ami-0aaaaaaaaaaaaaaaa");
    assert.equal(after[LT].imageId, "ami-0bbbbbbbbbbbbbbbb", "the launch template gets a new version");
    assert.deepEqual(after[FLEET], before[FLEET]);
    assert.equal(after[FLEET].launchTemplateConfigs[0].launchTemplateSpecification.version, "$Latest");
  });

  it("changes the fleet's overrides (a replacement, create-before-delete) when the instance types change", async () => {
    const before = await inputsByType(baseArgs());
    const after = await inputsByType(baseArgs({ instanceTypes: ["c7i.4xlarge", "m7i.4xlarge"] }));
    assert.notDeepEqual(after[FLEET].launchTemplateConfigs, before[FLEET].launchTemplateConfigs);
  });
});
