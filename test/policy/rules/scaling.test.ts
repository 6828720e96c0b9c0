import assert from "node:assert/strict";
import { queueConsumerScaling, serviceResourceId, serviceScalableTarget } from "../../../policy/rules/scaling";
import { container, policyTable, queueUrl, stackOf, taskDefinition, violations, withInputs, workerGraph } from "../fixtures";

const g = workerGraph();

describe("policy ecs-service-scalable-target", () => {
  policyTable(serviceScalableTarget, [
    { title: "a service with a bounded target passes", resources: stackOf(), expected: [] },
    {
      title: "no scalable target",
      resources: stackOf({ target: null }),
      expected: [
        /^ECS service `feed-normalize` has no scalable target: add an `aws.appautoscaling.Target` with `resourceId` "service\/jobworker\/feed-normalize", `scalableDimension` "ecs:service:DesiredCount"/,
      ],
    },
    {
      title: "a target on another service does not count",
      resources: stackOf({ target: withInputs(g.target, { resourceId: "service/jobworker/orders-webhook" }) }),
      expected: [/^ECS service `feed-normalize` has no scalable target/],
    },
    {
      title: "maxCapacity above the limit",
      resources: stackOf({ target: withInputs(g.target, { maxCapacity: 500 }) }),
      expected: [
        /^scalable target `feed-normalize-target` of ECS service `feed-normalize` must set `maxCapacity` from 1 to 100 \(found 500\)\.$/,
      ],
    },
    {
      title: "a configured limit",
      resources: stackOf({ target: withInputs(g.target, { maxCapacity: 500 }) }),
      config: { "ecs-service-scalable-target": { maxCapacityLimit: 1000 } },
      expected: [],
    },
    {
      title: "a DAEMON service (one task per instance) needs no target",
      resources: stackOf({ target: null, service: withInputs(g.service, { schedulingStrategy: "DAEMON" }) }),
      expected: [],
    },
    {
      title: "maxCapacity 0 (never runs)",
      resources: stackOf({ target: withInputs(g.target, { maxCapacity: 0 }) }),
      expected: [/must set `maxCapacity` from 1 to 100 \(found 0\)/],
    },
    {
      title: "minCapacity above maxCapacity",
      resources: stackOf({ target: withInputs(g.target, { minCapacity: 20 }) }),
      expected: [/sets `minCapacity` 20 above `maxCapacity` 10\.$/],
    },
  ]);

  it("derives App Auto Scaling's resource id from the cluster ARN or name", () => {
    const asResource = (props: Record<string, unknown>) => ({ props }) as never;
    assert.equal(
      serviceResourceId(asResource({ name: "svc", cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/main" })),
      "service/main/svc",
    );
    assert.equal(serviceResourceId(asResource({ name: "svc", cluster: "main" })), "service/main/svc");
  });
});

describe("policy ecs-queue-consumer-scaling", () => {
  const otherQueueTask = taskDefinition([container({ environment: [{ name: "JOBWORKER_QUEUE_URL", value: queueUrl("orders-webhook") }] })]);
  policyTable(queueConsumerScaling, [
    { title: "scaling policies and a backlog alarm that triggers one pass", resources: stackOf(), expected: [] },
    {
      title: "no scaling policies",
      resources: stackOf({ scaleOut: null, scaleIn: null }),
      expected: [
        /^ECS service `feed-normalize` consumes a queue but has no scaling policies: add `aws.appautoscaling.Policy` resources on its scalable target \(`resourceId` "service\/jobworker\/feed-normalize"\)\.$/,
      ],
    },
    {
      title: "no scalable target (so its policies cannot apply)",
      resources: stackOf({ target: null }),
      expected: [/consumes a queue but has no scaling policies/],
    },
    {
      title: "no backlog alarm",
      resources: stackOf({ backlogAlarm: null, emptyAlarm: null }),
      expected: [
        /^ECS service `feed-normalize` consumes SQS queue `feed-normalize` but no CloudWatch alarm watches its backlog: add an `aws.cloudwatch.MetricAlarm` on AWS\/SQS ApproximateNumberOfMessagesVisible with dimension QueueName "feed-normalize"\.$/,
      ],
    },
    {
      title: "alarms on another queue do not count",
      resources: stackOf({ backlogAlarm: withInputs(g.backlogAlarm, { dimensions: { QueueName: "orders-webhook" } }), emptyAlarm: null }),
      expected: [/no CloudWatch alarm watches its backlog/],
    },
    {
      title: "an alarm on a metric not in the backlog list",
      resources: stackOf({ backlogAlarm: withInputs(g.backlogAlarm, { metricName: "NumberOfMessagesSent" }), emptyAlarm: null }),
      expected: [/no CloudWatch alarm watches its backlog/],
    },
    {
      title: "a metric-math alarm on the queue counts",
      resources: stackOf({
        emptyAlarm: null,
        backlogAlarm: withInputs(g.backlogAlarm, {
          namespace: undefined,
          metricName: undefined,
          dimensions: undefined,
          metricQueries: [
            {
              id: "visible",
              metric: {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: "feed-normalize" },
                period: 60,
                stat: "Maximum",
              },
            },
          ],
        }),
      }),
      expected: [],
    },
    {
      title: "backlog alarms that trigger no scaling policy",
      resources: stackOf({
        backlogAlarm: withInputs(g.backlogAlarm, { alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:ops"] }),
        emptyAlarm: withInputs(g.emptyAlarm, { alarmActions: [] }),
      }),
      expected: [
        /^backlog alarm\(s\) `feed-normalize-backlog`, `feed-normalize-empty` on SQS queue `feed-normalize` trigger none of ECS service `feed-normalize`'s scaling policies: put a scaling policy's ARN in `alarmActions`\.$/,
      ],
    },
    {
      title: "a service that consumes no queue in the stack is not judged",
      resources: stackOf({ taskDefinition: otherQueueTask, scaleOut: null, scaleIn: null, backlogAlarm: null, emptyAlarm: null }),
      expected: [],
    },
  ]);

  it("reports missing alarms against the service's URN", async () => {
    const [v] = await violations(queueConsumerScaling, stackOf({ backlogAlarm: null, emptyAlarm: null }));
    assert.equal(v.resource?.urn, g.service.urn);
    assert.equal(v.resource?.type, "aws:ecs/service:Service");
  });
});
