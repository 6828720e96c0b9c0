/**
 * The stack policies that link resources, at the first preview of a new stack: the engine hands them
 * resources whose ids, ARNs, URLs and generated names are unknown, with the dependency information
 * (`propertyDependencies`) saying which resource each input was made from. They must decide from it,
 * not report "can't run policy … during preview" (advisory, i.e. skipped).
 */
import assert from "node:assert/strict";
import type { ResourceSnapshot } from "../../policy/evaluate";
import { bucketEncrypted, bucketPublicAccessBlocked } from "../../policy/rules/s3";
import { queueConsumerScaling } from "../../policy/rules/scaling";
import { UNKNOWN_STRING, violations, workerGraph, type WorkerGraph } from "./fixtures";

/** The worker graph as a new stack's preview shows it: computed values unknown, dependencies known. */
function previewGraph(): WorkerGraph {
  const g = workerGraph();
  const unknown = (
    r: ResourceSnapshot,
    outputs: Record<string, unknown>,
    deps: Record<string, ResourceSnapshot[]> = {},
  ): ResourceSnapshot => ({
    ...r,
    outputs: { ...r.outputs, ...outputs },
    propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, rs]) => [k, rs.map((d) => d.urn)])),
  });
  const bucket = unknown(g.bucket, { id: UNKNOWN_STRING, arn: UNKNOWN_STRING, bucket: UNKNOWN_STRING });
  const queue = unknown(g.queue, { id: UNKNOWN_STRING, arn: UNKNOWN_STRING, url: UNKNOWN_STRING, name: UNKNOWN_STRING });
  const cluster = unknown(g.cluster, { id: UNKNOWN_STRING, arn: UNKNOWN_STRING });
  const taskDefinition = unknown(
    g.taskDefinition,
    { containerDefinitions: UNKNOWN_STRING, arn: UNKNOWN_STRING },
    { containerDefinitions: [queue] },
  );
  const service = unknown(
    g.service,
    { cluster: UNKNOWN_STRING, taskDefinition: UNKNOWN_STRING },
    { cluster: [cluster], taskDefinition: [taskDefinition] },
  );
  const target = unknown(g.target, { resourceId: UNKNOWN_STRING }, { resourceId: [cluster, service] });
  const scaleOut = unknown(g.scaleOut, { resourceId: UNKNOWN_STRING, arn: UNKNOWN_STRING }, { resourceId: [target] });
  const scaleIn = unknown(g.scaleIn, { resourceId: UNKNOWN_STRING, arn: UNKNOWN_STRING }, { resourceId: [target] });
  const alarm = (r: ResourceSnapshot, policy: ResourceSnapshot) =>
    unknown(
      r,
      { dimensions: { QueueName: UNKNOWN_STRING }, alarmActions: [UNKNOWN_STRING] },
      { dimensions: [queue], alarmActions: [policy] },
    );
  return {
    cluster,
    bucket,
    queue,
    deadLetterQueue: unknown(g.deadLetterQueue, { id: UNKNOWN_STRING, arn: UNKNOWN_STRING, url: UNKNOWN_STRING, name: UNKNOWN_STRING }),
    taskDefinition,
    service,
    target,
    scaleOut,
    scaleIn,
    backlogAlarm: alarm(g.backlogAlarm, scaleOut),
    emptyAlarm: alarm(g.emptyAlarm, scaleIn),
    publicAccessBlock: unknown(g.publicAccessBlock, { bucket: UNKNOWN_STRING }, { bucket: [bucket] }),
    encryption: unknown(g.encryption, { bucket: UNKNOWN_STRING }, { bucket: [bucket] }),
  };
}

function stack(changes: Partial<Record<keyof WorkerGraph, ResourceSnapshot | null>> = {}): ResourceSnapshot[] {
  return Object.values({ ...previewGraph(), ...changes }).filter((r): r is ResourceSnapshot => r !== null);
}

const linking = [bucketPublicAccessBlocked, bucketEncrypted, queueConsumerScaling];

describe("stack policies at a new stack's first preview (ids unknown, dependencies known)", () => {
  it('decide the wired worker passes: no finding, and no "can\'t run during preview"', async () => {
    const found = await violations(linking, stack());
    assert.deepEqual(
      found.map((v) => `${v.policyName}: ${v.message}`),
      [],
    );
  });

  const cases: { title: string; changes: Partial<Record<keyof WorkerGraph, ResourceSnapshot | null>>; policy: string; message: RegExp }[] =
    [
      {
        title: "a bucket without its public access block",
        changes: { publicAccessBlock: null },
        policy: "s3-bucket-public-access-blocked",
        message: /^S3 bucket `feed-normalize-input` has no BucketPublicAccessBlock/,
      },
      {
        title: "a bucket without its encryption configuration",
        changes: { encryption: null },
        policy: "s3-bucket-encrypted",
        message: /^S3 bucket `feed-normalize-input` declares no default encryption/,
      },
      {
        title: "a consumer without backlog alarms",
        changes: { backlogAlarm: null, emptyAlarm: null },
        policy: "ecs-queue-consumer-scaling",
        message: /^ECS service `feed-normalize` consumes SQS queue `feed-normalize` but no CloudWatch alarm watches its backlog/,
      },
      {
        title: "a consumer without scaling policies",
        changes: { scaleOut: null, scaleIn: null },
        policy: "ecs-queue-consumer-scaling",
        message: /^ECS service `feed-normalize` consumes a queue but has no scaling policies/,
      },
    ];
  for (const c of cases) {
    it(`decide ${c.title} fails, at preview`, async () => {
      const found = await violations(linking, stack(c.changes));
      assert.deepEqual(
        found.map((v) => [v.policyName, v.enforcementLevel]),
        [[c.policy, "mandatory"]],
        JSON.stringify(found.map((v) => v.message)),
      );
      assert.match(found[0].message, c.message);
    });
  }

  it("decide an alarm made from no scaling policy triggers none", async () => {
    const g = previewGraph();
    const detached = { ...g.backlogAlarm, propertyDependencies: { dimensions: [g.queue.urn] } };
    const found = await violations(linking, stack({ backlogAlarm: detached, emptyAlarm: null }));
    assert.deepEqual(
      found.map((v) => v.policyName),
      ["ecs-queue-consumer-scaling"],
    );
    assert.match(
      found[0].message,
      /^backlog alarm\(s\) `feed-normalize-backlog` on SQS queue `feed-normalize` trigger none of ECS service `feed-normalize`'s scaling policies/,
    );
  });
});
