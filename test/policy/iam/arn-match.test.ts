import assert from "node:assert/strict";
import { arnMatchesFormat } from "../../../policy/iam/arn-match";

const S3_BUCKET = "arn:${Partition}:s3:::${BucketName}";
const S3_OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
const SQS_QUEUE = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}";
const ECS_TASK = "arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}";
const LOG_GROUP = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
const SECRET = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";

describe("ARN patterns against catalogue formats", () => {
  it("matches when some ARN fits both, and only then (table)", () => {
    const cases: [arn: string, format: string, matches: boolean][] = [
      ["arn:aws:s3:::feed-input", S3_BUCKET, true],
      ["arn:aws:s3:::feed-input/uploads/*", S3_OBJECT, true],
      ["arn:aws:s3:::feed-*", S3_BUCKET, true],
      ["arn:aws:s3:eu-west-1:123456789012:feed-input", S3_BUCKET, false],
      ["arn:aws:sqs:eu-west-1:123456789012:jobs", SQS_QUEUE, true],
      ["arn:aws:sqs:*:*:jw-*", SQS_QUEUE, true],
      ["arn:aws:sqs:eu-west-1::jobs", SQS_QUEUE, false],
      ["arn:aws:ecs:eu-west-1:123456789012:task/jobworker/*", ECS_TASK, true],
      ["arn:aws:ecs:eu-west-1:123456789012:tasks/jobworker/*", ECS_TASK, false],
      ["arn:aws:ecs:eu-west-1:123456789012:task/jobworker", ECS_TASK, false],
      ["arn:aws:logs:eu-west-1:123456789012:log-group:/jobworker/containers:*", LOG_GROUP, true],
      ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/key-??????", SECRET, true],
      ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:", SECRET, false],
      ["*", ECS_TASK, true],
    ];
    for (const [arn, format, matches] of cases) assert.equal(arnMatchesFormat(arn, format), matches, `${arn} vs ${format}`);
  });
});
