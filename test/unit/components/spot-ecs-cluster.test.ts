/**
 * SpotEcsCluster's resource graph under Pulumi mocks: every property the cluster promises, read
 * from the inputs a `pulumi up` would send.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { judgeIamDocuments } from "../../support/iam";
import { MockStack, RecordedResource, startMocks, valueOf } from "../../support/pulumi";
import type { SpotEcsClusterArgs } from "../../../components/spot-ecs-cluster/args";
import { baseArgs } from "./spot-ecs-cluster.fixtures";

const T = {
  cluster: "aws:ecs/cluster:Cluster",
  fleet: "aws:ec2/spotFleetRequest:SpotFleetRequest",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  bucket: "aws:s3/bucket:Bucket",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  target: "aws:appautoscaling/target:Target",
  policy: "aws:appautoscaling/policy:Policy",
  service: "aws:ecs/service:Service",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  fn: "aws:lambda/function:Function",
  rule: "aws:cloudwatch/eventRule:EventRule",
  ecrRepository: "aws:ecr/repository:Repository",
} as const;

interface Rendered {
  stack: MockStack;
  cluster: any;
  /** Resource options children were registered with (from a component transformation). */
  options: Map<string, pulumi.CustomResourceOptions>;
}

async function render(args: SpotEcsClusterArgs, name = "jw"): Promise<Rendered> {
  const stack = startMocks();
  const { SpotEcsCluster } = require("../../../components/spot-ecs-cluster");
  const options = new Map<string, pulumi.CustomResourceOptions>();
  const cluster = new SpotEcsCluster(name, args, {
    transformations: [
      (t: pulumi.ResourceTransformationArgs) => {
        options.set(`${t.type}::${t.name}`, t.opts);
        return undefined;
      },
    ],
  });
  await stack.settle();
  return { stack, cluster, options };
}

const parse = (s: string) => JSON.parse(s);

describe("SpotEcsCluster", () => {
  let r: Rendered;
  let fleet: RecordedResource;
  before(async () => {
    r = await render(baseArgs());
    fleet = r.stack.one(T.fleet);
  });

  it("registers as jobworker:index:SpotEcsCluster and parents every child to itself", () => {
    const component = r.stack.resources.find((x) => x.type === "jobworker:index:SpotEcsCluster");
    assert.ok(component, "component registered");
    const children = r.stack.resources.filter((x) => x !== component);
    assert.ok(children.length >= 20);
    for (const child of children) {
      assert.ok(child.name.startsWith("jw-"), `${child.type} ${child.name} is named after the component`);
      assert.match(child.parent ?? "(none)", /jobworker:index:SpotEcsCluster::jw$/, `${child.name} parent`);
    }
  });

  it("requests a maintain Spot Fleet, diversified, without a max price, weights = vCPUs, across every subnet", () => {
    const i = fleet.inputs;
    assert.equal(i.fleetType, "maintain");
    assert.equal(i.allocationStrategy, "diversified");
    assert.equal(i.spotPrice, undefined);
    assert.equal(i.targetCapacity, 64);
    assert.equal(i.onDemandTargetCapacity, 0);
    assert.equal(i.instanceInterruptionBehaviour, "terminate");
    assert.equal(i.replaceUnhealthyInstances, true);
    assert.equal(i.terminateInstancesWithExpiration, true);
    assert.equal(i.terminateInstancesOnDelete, "true");
    assert.deepEqual(i.spotMaintenanceStrategies, { capacityRebalance: { replacementStrategy: "launch" } });
    assert.equal(i.iamFleetRole, "arn:aws:iam::123456789012:role/jw-fleet");
    assert.equal(i.launchTemplateConfigs.length, 1);
    const overrides = i.launchTemplateConfigs[0].overrides as { instanceType: string; subnetId: string; weightedCapacity: number }[];
    const expectedWeights: Record<string, number> = { "c6i.4xlarge": 16, "m6i.2xlarge": 8, "r6id.4xlarge": 16, "x9z.8xlarge": 32 };
    assert.equal(overrides.length, 4 * 3);
    for (const [type, weight] of Object.entries(expectedWeights)) {
      for (const subnet of ["subnet-0a", "subnet-0c", "subnet-0d"]) {
        assert.deepEqual(
          overrides.filter((o) => o.instanceType === type && o.subnetId === subnet),
          [{ instanceType: type, subnetId: subnet, weightedCapacity: weight }],
        );
      }
    }
  });

  it("references the launch template by id and $Latest, and carries no AMI or user data itself", () => {
    const spec = fleet.inputs.launchTemplateConfigs[0].launchTemplateSpecification;
    assert.deepEqual(spec, { id: r.stack.one(T.lt).id, version: "$Latest" });
    const text = JSON.stringify(fleet.inputs);
    assert.doesNotMatch(text, /ami-|userData|#include|cloud-config/);
  });

  it("lets Application Auto Scaling and the controller own the targets and replaces the fleet create-before-delete", () => {
    const opts = r.options.get(`${T.fleet}::jw-fleet`);
    assert.ok(opts, "fleet options seen");
    assert.deepEqual(opts!.ignoreChanges, ["targetCapacity", "onDemandTargetCapacity"]);
    assert.equal(opts!.deleteBeforeReplace, false);
  });

  it("launches the stock ECS-optimized AL2023 AMI with IMDSv2 required, hop limit 1, EBS-optimized, the instance profile", () => {
    const lt = r.stack.one(T.lt).inputs;
    const ssm = r.stack.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter");
    assert.deepEqual(
      ssm.map((c) => c.inputs.name),
      ["/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"],
    );
    assert.equal(lt.imageId, "ami-0123456789abcdef0");
    assert.deepEqual(lt.metadataOptions, {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    });
    assert.equal(lt.ebsOptimized, "true");
    assert.equal(lt.instanceType, undefined, "types come from the fleet's overrides");
    assert.equal(lt.iamInstanceProfile.arn, "arn:aws:iam::123456789012:instance-profile/jw-instance");
    assert.deepEqual(lt.blockDeviceMappings, [
      { deviceName: "/dev/xvda", ebs: { volumeSize: 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
    ]);
    assert.deepEqual(
      lt.tagSpecifications.map((t: any) => t.resourceType),
      ["instance", "volume"],
    );
    assert.equal(lt.updateDefaultVersion, true);
  });

  it("has user data that is exactly #include and the cloud-config object's https URL", async () => {
    const lt = r.stack.one(T.lt).inputs;
    const url = await valueOf(r.cluster.cloudConfigUrl);
    assert.equal(url, "https://jw-boot-bucket.s3.ap-northeast-1.amazonaws.com/cloud-config/cloud-config.yaml");
    assert.equal(Buffer.from(lt.userData, "base64").toString("utf8"), `#include\n${url}\n`);
  });

  it("keeps the cloud-config in a private, SSE-S3 encrypted, versioned bucket, readable only through the S3 gateway endpoint", () => {
    assert.equal(r.stack.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status, "Enabled");
    assert.deepEqual(r.stack.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    const pab = r.stack.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    assert.deepEqual(
      [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
      [true, true, true, true],
    );
    const endpoint = r.stack.one(T.endpoint);
    assert.deepEqual(
      {
        type: endpoint.inputs.vpcEndpointType,
        service: endpoint.inputs.serviceName,
        vpc: endpoint.inputs.vpcId,
        rts: endpoint.inputs.routeTableIds,
      },
      { type: "Gateway", service: "com.amazonaws.ap-northeast-1.s3", vpc: "vpc-0abc", rts: ["rtb-0a", "rtb-0c"] },
    );
    const policy = parse(r.stack.one(T.bucketPolicy).inputs.policy);
    const allow = policy.Statement.find((s: any) => s.Effect === "Allow");
    assert.deepEqual(allow, {
      Sid: "InstancesReadCloudConfigThroughVpcEndpoint",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::jw-boot-bucket/cloud-config/cloud-config.yaml",
      Condition: { StringEquals: { "aws:SourceVpce": endpoint.id } },
    });
    assert.ok(policy.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
  });

  it("stores the rendered cloud-config for this cluster as the object", () => {
    const object = r.stack.one(T.object).inputs;
    assert.equal(object.key, "cloud-config/cloud-config.yaml");
    assert.equal(object.contentType, "text/cloud-config");
    assert.equal(object.serverSideEncryption, "AES256");
    assert.match(object.content, /^#cloud-config\n/);
    assert.match(object.content, /ECS_CLUSTER=jw-cluster\n/);
    assert.match(object.content, /ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n/);
  });

  it("renders only documents IAM accepts: instance, fleet, log collector and controller roles, their policies, the cloud-config bucket policy", async () => {
    const { messages, documents } = await judgeIamDocuments(r.stack.resources);
    assert.deepEqual(messages, []);
    assert.deepEqual(
      documents,
      [
        "jw-fleet.assumeRolePolicy",
        "jw-instance-cloud-config.policy",
        "jw-instance.assumeRolePolicy",
        "jw-log-collector-task.assumeRolePolicy",
        "jw-log-collector-task.policy",
        "jw-boot.policy",
        "jw-controller.assumeRolePolicy",
        "jw-controller.policy",
      ].sort(),
    );
  });

  it("gives instances the ECS instance policy plus read of the cloud-config object only", () => {
    const instanceRole = r.stack.one(T.role, "jw-instance");
    assert.deepEqual(parse(instanceRole.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
    const attachments = r.stack.ofType(T.attachment).filter((a) => a.inputs.role === "jw-instance");
    assert.deepEqual(
      attachments.map((a) => a.inputs.policyArn),
      ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"],
    );
    const inline = r.stack.ofType(T.rolePolicy).filter((p) => p.inputs.role === instanceRole.id);
    assert.equal(inline.length, 1);
    assert.deepEqual(parse(inline[0].inputs.policy).Statement, [
      {
        Sid: "ReadCloudConfig",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: "arn:aws:s3:::jw-boot-bucket/cloud-config/cloud-config.yaml",
      },
    ]);
    const fleetRole = r.stack.ofType(T.attachment).filter((a) => a.inputs.role === "jw-fleet");
    assert.deepEqual(
      fleetRole.map((a) => a.inputs.policyArn),
      ["arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole"],
    );
  });

  it("scales the fleet's target capacity out, between min and max, on the cluster's CPU and memory reservation, never in", () => {
    const target = r.stack.one(T.target).inputs;
    assert.deepEqual(target, {
      serviceNamespace: "ec2",
      scalableDimension: "ec2:spot-fleet-request:TargetCapacity",
      resourceId: `spot-fleet-request/${fleet.id}`,
      minCapacity: 32,
      maxCapacity: 64,
    });
    const policies = r.stack
      .ofType(T.policy)
      .map((p) => p.inputs)
      .filter((p) => p.policyType === "TargetTrackingScaling");
    assert.deepEqual(
      policies.map((p) => [
        p.policyType,
        p.resourceId,
        p.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metricName,
        p.targetTrackingScalingPolicyConfiguration.targetValue,
      ]),
      [
        ["TargetTrackingScaling", `spot-fleet-request/${fleet.id}`, "CPUReservation", 75],
        ["TargetTrackingScaling", `spot-fleet-request/${fleet.id}`, "MemoryReservation", 75],
      ],
    );
    for (const p of policies) {
      const c = p.targetTrackingScalingPolicyConfiguration;
      assert.deepEqual(c.customizedMetricSpecification.dimensions, [{ name: "ClusterName", value: "jw-cluster" }]);
      assert.equal(c.customizedMetricSpecification.namespace, "AWS/ECS");
      assert.deepEqual([c.scaleOutCooldown, c.scaleInCooldown], [60, 900]);
      assert.equal(c.disableScaleIn, true, "scale-in is the controller's, drain first");
    }
  });

  it("runs a log collector on every instance: DAEMON, host network, forward input on 127.0.0.1:24224, to its log group, non-root, read-only", () => {
    const service = r.stack.one(T.service, "log-collector").inputs;
    assert.equal(service.schedulingStrategy, "DAEMON");
    assert.equal(service.cluster, "arn:aws:ecs:ap-northeast-1:123456789012:cluster/jw-cluster");
    const td = r.stack.one(T.taskDef, "log-collector").inputs;
    assert.equal(td.networkMode, "host");
    const [container] = parse(td.containerDefinitions);
    // The public image by tag is mirrored into the cluster's ECR repository and run by digest.
    const mirror = r.stack.one("docker-build:index:Image", "log-collector");
    assert.deepEqual(mirror.inputs.buildArgs, { UPSTREAM: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5" });
    assert.equal(mirror.inputs.tags[0], "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/jw-log-collector:2.32.5");
    assert.equal(container.image, `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/jw-log-collector@${mirror.state.digest}`);
    const repository = r.stack.one(T.ecrRepository, "log-collector").inputs;
    assert.deepEqual([repository.imageTagMutability, repository.imageScanningConfiguration], ["IMMUTABLE", { scanOnPush: true }]);
    assert.equal(r.stack.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").length, 1);
    assert.equal(container.user, "65534:65534");
    assert.equal(container.readonlyRootFilesystem, true);
    assert.deepEqual(container.linuxParameters, { tmpfs: [{ containerPath: "/tmp", size: 8 }] });
    assert.match(container.command[0], /> '\/tmp\/jobworker\.conf' && exec '\/fluent-bit\/bin\/fluent-bit' '-c' '\/tmp\/jobworker\.conf'$/);
    const trust = parse(r.stack.one(T.role, "log-collector-task").inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Condition, {
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:ecs:ap-northeast-1:123456789012:*" },
    });
    const env = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
    assert.equal(env.LOG_GROUP_NAME, "/jobworker/test/jw/containers");
    assert.equal(env.AWS_REGION, "ap-northeast-1");
    assert.match(env.JOBWORKER_COLLECTOR_CONFIG, /Name\s+forward\n\s+Listen\s+127\.0\.0\.1\n\s+Port\s+24224/);
    assert.match(env.JOBWORKER_COLLECTOR_CONFIG, /Name\s+cloudwatch_logs/);
    assert.equal(r.stack.one(T.logGroup, "jw-containers").inputs.retentionInDays, 30);
    const taskPolicy = r.stack.ofType(T.rolePolicy).find((p) => p.name === "jw-log-collector-task");
    assert.deepEqual(parse(taskPolicy!.inputs.policy).Statement[0].Resource, [
      "arn:aws:logs:ap-northeast-1:123456789012:log-group:/jobworker/test/jw/containers",
      "arn:aws:logs:ap-northeast-1:123456789012:log-group:/jobworker/test/jw/containers:*",
    ]);
    assert.equal(r.cluster.fluentdAddress, "127.0.0.1:24224");
  });

  it("exposes the outputs JobWorker builds on, and the largest type by memory as plain data", async () => {
    assert.equal(await valueOf(r.cluster.clusterName), "jw-cluster");
    assert.equal(await valueOf(r.cluster.clusterArn), "arn:aws:ecs:ap-northeast-1:123456789012:cluster/jw-cluster");
    assert.equal(await valueOf(r.cluster.fleetRequestId), fleet.id);
    assert.equal(await valueOf(r.cluster.instanceRoleArn), "arn:aws:iam::123456789012:role/jw-instance");
    assert.equal(await valueOf(r.cluster.instanceRoleName), "jw-instance");
    assert.equal(await valueOf(r.cluster.vpcId), "vpc-0abc");
    assert.deepEqual(await valueOf(r.cluster.subnetIds), ["subnet-0a", "subnet-0c", "subnet-0d"]);
    assert.deepEqual(r.cluster.largestInstance, { instanceType: "r6id.4xlarge", vcpu: 16, memoryMiB: 131072 });
    assert.equal(r.cluster.scratchHostPath, "/mnt/instance-store/scratch");
  });

  const strategyCases: { args: Partial<SpotEcsClusterArgs>; expect: Record<string, unknown> }[] = [
    { args: { allocationStrategy: "priceCapacityOptimized" }, expect: { allocationStrategy: "priceCapacityOptimized" } },
    { args: { allocationStrategy: "capacityOptimized" }, expect: { allocationStrategy: "capacityOptimized" } },
    { args: { onDemandBaseCapacity: 16 }, expect: { onDemandTargetCapacity: 16, onDemandAllocationStrategy: "lowestPrice" } },
    { args: { capacityRebalance: false }, expect: { spotMaintenanceStrategies: undefined } },
  ];
  for (const c of strategyCases) {
    it(`sets the fleet's ${Object.keys(c.expect).join(", ")} from ${JSON.stringify(c.args)}`, async () => {
      const rr = await render(baseArgs(c.args));
      const inputs = rr.stack.one(T.fleet).inputs;
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(inputs[k], v, k);
    });
  }

  it("uses an existing S3 gateway endpoint when given one instead of route tables", async () => {
    const rr = await render(baseArgs({ routeTableIds: undefined, s3VpcEndpointId: "vpce-0existing" }));
    assert.equal(rr.stack.ofType(T.endpoint).length, 0);
    const allow = parse(rr.stack.one(T.bucketPolicy).inputs.policy).Statement[0];
    assert.deepEqual(allow.Condition, { StringEquals: { "aws:SourceVpce": "vpce-0existing" } });
  });

  it("picks the arm64 AMI parameter for a Graviton fleet", async () => {
    const rr = await render(baseArgs({ instanceTypes: ["c7g.4xlarge", "m7gd.4xlarge"] }));
    const ssm = rr.stack.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter");
    assert.deepEqual(
      ssm.map((c) => c.inputs.name),
      ["/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"],
    );
  });

  it("runs extra daemons given as args next to the log collector", async () => {
    const rr = await render(
      baseArgs({ daemons: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.8.2", cpu: 64, memoryMiB: 64 }] }),
    );
    const services = rr.stack.ofType(T.service);
    assert.deepEqual(services.map((s) => [s.name, s.inputs.schedulingStrategy]).sort(), [
      ["jw-log-collector", "DAEMON"],
      ["jw-node-exporter", "DAEMON"],
    ]);
    const [container] = parse(rr.stack.one(T.taskDef, "node-exporter").inputs.containerDefinitions);
    // An image by tag is mirrored into the cluster's ECR (`jw-node-exporter`) and run by digest.
    const mirror = rr.stack.one("docker-build:index:Image", "node-exporter");
    assert.deepEqual(mirror.inputs.buildArgs, { UPSTREAM: "quay.io/prometheus/node-exporter:v1.8.2" });
    assert.equal(container.image, `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/jw-node-exporter@${mirror.state.digest}`);
  });

  it("rejects wrong args before registering any child", async () => {
    const stack = startMocks();
    const { SpotEcsCluster } = require("../../../components/spot-ecs-cluster");
    assert.throws(
      () => new SpotEcsCluster("bad", baseArgs({ instanceTypes: ["c6i.4xlarge", "c6i.2xlarge"] })),
      /`instanceTypes`: all types are of the one family "c6i"/,
    );
    await stack.settle();
    assert.deepEqual(
      stack.resources.filter((x) => x.type !== "jobworker:index:SpotEcsCluster"),
      [],
    );
  });
});
