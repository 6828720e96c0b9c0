/**
 * A catalogue of realistic misconfigurations, each a small Pulumi program (a few `@pulumi/aws`
 * resources, as a team would write them) and the finding the pack must give: the policy, its
 * resource, and a fragment of the message naming that resource.
 */
import * as aws from "@pulumi/aws";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
const ECR_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app@${DIGEST}`;

export interface Misconfiguration {
  readonly title: string;
  readonly category: "IAM" | "ECS" | "EC2" | "SQS" | "S3" | "CloudWatch" | "Lambda" | "KMS" | "ECR";
  /** Declares the resources (under mocks). */
  readonly program: () => void;
  /** The policy that must catch it. */
  readonly policy: string;
  /** Pulumi name of the resource the finding is about. */
  readonly resource: string;
  /** Text the message must contain (it names the resource and the field). */
  readonly names: string;
}

const json = (value: unknown) => JSON.stringify(value);
const doc = (...Statement: unknown[]) => json({ Version: "2012-10-17", Statement });
const ecsTrust = doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" });

/** A container that meets the pack, with `overrides` applied. */
function container(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "app",
    image: ECR_IMAGE,
    cpu: 256,
    memory: 512,
    user: "1000:1000",
    readonlyRootFilesystem: true,
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/app", "awslogs-region": REGION, "awslogs-stream-prefix": "app" },
    },
    environment: [],
    ...overrides,
  };
}

function task(name: string, containerOverrides: Record<string, unknown> = {}, taskArgs: Partial<aws.ecs.TaskDefinitionArgs> = {}): void {
  new aws.ecs.TaskDefinition(name, {
    family: name,
    requiresCompatibilities: ["EC2"],
    networkMode: "bridge",
    containerDefinitions: json([container(containerOverrides)]),
    ...taskArgs,
  });
}

function identityPolicy(name: string, statement: Record<string, unknown>): void {
  const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: ecsTrust });
  new aws.iam.RolePolicy(name, { role: role.id, policy: doc({ Effect: "Allow", ...statement }) });
}

function queueWithPolicy(name: string, statement: Record<string, unknown>): void {
  const queue = new aws.sqs.Queue(name, { sqsManagedSseEnabled: true });
  new aws.sqs.QueuePolicy(`${name}-policy`, {
    queueUrl: queue.url,
    policy: queue.arn.apply((arn) => doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: arn, ...statement })),
  });
}

function bucketWithPolicy(name: string, statement: Record<string, unknown>): void {
  const bucket = new aws.s3.Bucket(name, {});
  new aws.s3.BucketPublicAccessBlock(`${name}-pab`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketPolicy(`${name}-policy`, {
    bucket: bucket.id,
    policy: bucket.arn.apply((arn) => doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/*`, ...statement })),
  });
  // Something of the stack's own account, as every real stack has (roles, queues).
  new aws.iam.Role(`${name}-reader`, { assumeRolePolicy: ecsTrust });
}

function launchTemplate(name: string, args: Partial<aws.ec2.LaunchTemplateArgs>): void {
  new aws.ec2.LaunchTemplate(name, {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30 } }],
    ...args,
  });
}

function securedInstance(name: string, args: Partial<aws.ec2.InstanceArgs>): void {
  new aws.ec2.Instance(name, {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.micro",
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true },
    ...args,
  });
}

export const MISCONFIGURATIONS: readonly Misconfiguration[] = [
  // IAM
  {
    title: "a task role with s3:* on *",
    category: "IAM",
    program: () => identityPolicy("uploader-task-policy", { Action: "s3:*", Resource: "*" }),
    policy: "iam-no-wildcard-actions",
    resource: "uploader-task-policy",
    names: "IAM role policy `uploader-task-policy`: `policy` `Statement[0]` allows `s3:*`",
  },
  {
    title: "a task role that may send to every queue",
    category: "IAM",
    program: () => identityPolicy("notifier-task-policy", { Action: "sqs:SendMessage", Resource: "*" }),
    policy: "iam-no-wildcard-resource-write",
    resource: "notifier-task-policy",
    names: '`notifier-task-policy`: `policy` `Statement[0]` allows `sqs:SendMessage` on `Resource: "*"`',
  },
  {
    title: "a deployer that may pass any role",
    category: "IAM",
    program: () => identityPolicy("deployer-policy", { Action: ["ecs:RegisterTaskDefinition", "iam:PassRole"], Resource: "*" }),
    policy: "iam-no-wildcard-resource-write",
    resource: "deployer-policy",
    names: '`iam:PassRole` on `Resource: "*"`',
  },
  {
    title: "a customer managed policy allowing everything",
    category: "IAM",
    program: () => new aws.iam.Policy("break-glass", { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }),
    policy: "iam-no-wildcard-actions",
    resource: "break-glass",
    names: "IAM policy `break-glass`: `policy` `Statement[0]` allows `*`",
  },
  {
    title: "a user policy with Allow + NotAction",
    category: "IAM",
    program: () => {
      const user = new aws.iam.User("ci", {});
      new aws.iam.UserPolicy("ci-everything-but-iam", {
        user: user.name,
        policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
      });
    },
    policy: "iam-no-wildcard-actions",
    resource: "ci-everything-but-iam",
    names: "IAM user policy `ci-everything-but-iam`: `policy` `Statement[0]` allows with `NotAction`",
  },
  {
    title: "AdministratorAccess attached to a task role",
    category: "IAM",
    program: () => {
      const role = new aws.iam.Role("debug-task-role", { assumeRolePolicy: ecsTrust });
      new aws.iam.RolePolicyAttachment("debug-admin", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    },
    policy: "iam-no-admin-managed-policies",
    resource: "debug-admin",
    names: "policy attachment `debug-admin`: `policyArn` attaches the AWS-managed `AdministratorAccess`",
  },
  {
    title: "a role with AmazonS3FullAccess in managedPolicyArns",
    category: "IAM",
    program: () =>
      new aws.iam.Role("etl-role", { assumeRolePolicy: ecsTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] }),
    policy: "iam-no-admin-managed-policies",
    resource: "etl-role",
    names: "`managedPolicyArns[0]` attaches the AWS-managed `AmazonS3FullAccess`",
  },
  {
    title: "a role anyone may assume",
    category: "IAM",
    program: () =>
      new aws.iam.Role("shared-role", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }),
    policy: "iam-trust-no-wildcard-principal",
    resource: "shared-role",
    names: "IAM role `shared-role`: `assumeRolePolicy` `Statement[0]` lets any principal assume the role",
  },
  {
    title: "a task role without confused-deputy conditions",
    category: "IAM",
    program: () => new aws.iam.Role("report-task-role", { assumeRolePolicy: ecsTrust }),
    policy: "iam-task-role-confused-deputy",
    resource: "report-task-role",
    names:
      "IAM role `report-task-role`: `assumeRolePolicy` `Statement[0]` trusts `ecs-tasks.amazonaws.com` without `aws:SourceAccount` and `aws:SourceArn`",
  },
  // ECS
  {
    title: "a container in host network mode",
    category: "ECS",
    program: () => task("metrics-agent", {}, { networkMode: "host" }),
    policy: "ecs-no-host-namespaces",
    resource: "metrics-agent",
    names: 'task definition `metrics-agent` sets `networkMode` "host"',
  },
  {
    title: "a task sharing the host's PID namespace",
    category: "ECS",
    program: () => task("profiler", {}, { pidMode: "host" }),
    policy: "ecs-no-host-namespaces",
    resource: "profiler",
    names: 'task definition `profiler` sets `pidMode` "host"',
  },
  {
    title: "a container adding SYS_ADMIN",
    category: "ECS",
    program: () => task("fuse-mounter", { linuxParameters: { capabilities: { add: ["SYS_ADMIN"] } } }),
    policy: "ecs-no-added-capabilities",
    resource: "fuse-mounter",
    names: "container `app` of task definition `fuse-mounter` adds capabilities `SYS_ADMIN`",
  },
  {
    title: "a container without a log configuration",
    category: "ECS",
    program: () => task("silent", { logConfiguration: undefined }),
    policy: "ecs-container-log-configuration",
    resource: "silent",
    names: "container `app` of task definition `silent` has no `logConfiguration.logDriver`",
  },
  {
    title: "a public image by :latest",
    category: "ECS",
    program: () => task("proxy", { image: "nginx:latest" }),
    policy: "ecs-image-pinned",
    resource: "proxy",
    names: "container `app` of task definition `proxy`: `image` `nginx:latest` is pulled by the tag `latest`",
  },
  {
    title: "a Docker Hub image by a version tag",
    category: "ECS",
    program: () => task("cache", { image: "docker.io/library/redis:7.2" }),
    policy: "ecs-image-pinned",
    resource: "cache",
    names: "`image` `docker.io/library/redis:7.2` is pulled from outside the account's ECR by the mutable tag `7.2`",
  },
  {
    title: "a database URL with a password in DATABASE_URL",
    category: "ECS",
    program: () => task("billing", { environment: [{ name: "DATABASE_URL", value: "postgres://app:pw@db.internal:5432/billing" }] }),
    policy: "ecs-no-credential-values-env",
    resource: "billing",
    names: "container `app` of task definition `billing`: `environment` `DATABASE_URL` holds a URL with a password",
  },
  {
    title: "an AWS access key id in an innocently named variable",
    category: "ECS",
    program: () => task("archiver", { environment: [{ name: "UPLOADER_ID", value: "AKIAIOSFODNN7EXAMPLE" }] }),
    policy: "ecs-no-credential-values-env",
    resource: "archiver",
    names: "`environment` `UPLOADER_ID` holds an AWS access key id",
  },
  {
    title: "a PEM private key in the environment",
    category: "ECS",
    program: () =>
      task("sftp-push", {
        environment: [{ name: "IDENTITY", value: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" }],
      }),
    policy: "ecs-no-credential-values-env",
    resource: "sftp-push",
    names: "`environment` `IDENTITY` holds a PEM private key",
  },
  {
    title: "an API token as a plain variable",
    category: "ECS",
    program: () => task("crm-sync", { environment: [{ name: "CRM_API_TOKEN", value: "t0k3n" }] }),
    policy: "ecs-no-plaintext-secret-env",
    resource: "crm-sync",
    names: "container `app` of task definition `crm-sync` passes `CRM_API_TOKEN` as a plain `environment` variable",
  },
  {
    title: "a privileged container",
    category: "ECS",
    program: () => task("dind", { privileged: true }),
    policy: "ecs-no-privileged-containers",
    resource: "dind",
    names: "container `app` of task definition `dind` must not set `privileged`",
  },
  {
    title: "a container running as root",
    category: "ECS",
    program: () => task("legacy", { user: "root" }),
    policy: "ecs-container-non-root-user",
    resource: "legacy",
    names: 'container `app` of task definition `legacy` sets `user` "root"',
  },
  {
    title: "a writable root filesystem",
    category: "ECS",
    program: () => task("scratchy", { readonlyRootFilesystem: false }),
    policy: "ecs-container-read-only-root-filesystem",
    resource: "scratchy",
    names: "container `app` of task definition `scratchy` must set `readonlyRootFilesystem: true`",
  },
  // EC2
  {
    title: "a launch template allowing IMDSv1",
    category: "EC2",
    program: () => launchTemplate("workers-lt", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }),
    policy: "ec2-launch-template-imdsv2",
    resource: "workers-lt",
    names: "launch template `workers-lt` must require IMDSv2",
  },
  {
    title: "a launch template with hop limit 2 (containers reach IMDS)",
    category: "EC2",
    program: () => launchTemplate("gpu-lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }),
    policy: "ec2-metadata-hop-limit",
    resource: "gpu-lt",
    names: "launch template `gpu-lt` must set `metadataOptions.httpPutResponseHopLimit` to 1 (found 2)",
  },
  {
    title: "an instance without IMDSv2",
    category: "EC2",
    program: () => securedInstance("bastion", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }),
    policy: "ec2-instance-imdsv2",
    resource: "bastion",
    names: "EC2 instance `bastion` must require IMDSv2",
  },
  {
    title: "a launch template with an unencrypted volume",
    category: "EC2",
    program: () => launchTemplate("batch-lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 100 } }] }),
    policy: "ec2-ebs-encrypted",
    resource: "batch-lt",
    names: "launch template `batch-lt`: `blockDeviceMappings[0].ebs.encrypted` (/dev/xvda) must be true",
  },
  {
    title: "an unencrypted EBS volume",
    category: "EC2",
    program: () => new aws.ebs.Volume("scratch-volume", { availabilityZone: `${REGION}a`, size: 100 }),
    policy: "ec2-ebs-encrypted",
    resource: "scratch-volume",
    names: "EBS volume `scratch-volume` must be encrypted",
  },
  {
    title: "an instance with a public IP",
    category: "EC2",
    program: () => securedInstance("jump", { associatePublicIpAddress: true }),
    policy: "ec2-no-public-ip",
    resource: "jump",
    names: "EC2 instance `jump` sets `associatePublicIpAddress`",
  },
  {
    title: "a subnet that gives instances public IPs",
    category: "EC2",
    program: () => new aws.ec2.Subnet("public-a", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }),
    policy: "ec2-no-public-ip",
    resource: "public-a",
    names: "subnet `public-a` sets `mapPublicIpOnLaunch`",
  },
  {
    title: "SSH open to 0.0.0.0/0",
    category: "EC2",
    program: () =>
      new aws.ec2.SecurityGroup("admin-sg", {
        vpcId: "vpc-1",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    policy: "ec2-security-group-no-public-ingress",
    resource: "admin-sg",
    names: "security group `admin-sg`: `ingress[0]` opens 22",
  },
  {
    title: "RDP open to ::/0 by a separate rule",
    category: "EC2",
    program: () =>
      new aws.ec2.SecurityGroupRule("rdp", {
        type: "ingress",
        securityGroupId: "sg-1",
        protocol: "tcp",
        fromPort: 3389,
        toPort: 3389,
        ipv6CidrBlocks: ["::/0"],
      }),
    policy: "ec2-security-group-no-public-ingress",
    resource: "rdp",
    names: "security group rule `rdp` opens 3389",
  },
  {
    title: "Postgres open to the internet",
    category: "EC2",
    program: () =>
      new aws.vpc.SecurityGroupIngressRule("db-public", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        cidrIpv4: "0.0.0.0/0",
      }),
    policy: "ec2-security-group-no-public-ingress",
    resource: "db-public",
    names: "security group ingress rule `db-public` opens 5432",
  },
  // SQS
  {
    title: "a queue anyone may send to",
    category: "SQS",
    program: () => queueWithPolicy("inbox", { Principal: "*" }),
    policy: "sqs-queue-policy-not-public",
    resource: "inbox-policy",
    names: "SQS queue policy `inbox-policy`: `policy` `Statement[0]` allows any principal",
  },
  {
    title: "S3 allowed to send without aws:SourceArn",
    category: "SQS",
    program: () =>
      queueWithPolicy("uploads", {
        Principal: { Service: "s3.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    policy: "sqs-service-sender-restricted",
    resource: "uploads-policy",
    names: "allows `s3.amazonaws.com` without `aws:SourceArn`",
  },
  {
    title: "SNS allowed to send with no condition",
    category: "SQS",
    program: () => queueWithPolicy("fanout", { Principal: { Service: "sns.amazonaws.com" } }),
    policy: "sqs-service-sender-restricted",
    resource: "fanout-policy",
    names: "allows `sns.amazonaws.com` without `aws:SourceArn` and `aws:SourceAccount`",
  },
  {
    title: "a dead-letter queue without a TLS-only policy",
    category: "SQS",
    program: () => new aws.sqs.Queue("orders-dlq", { name: "orders-dlq", sqsManagedSseEnabled: true }),
    policy: "sqs-queue-tls-only",
    resource: "orders-dlq",
    names: "SQS queue `orders-dlq` does not deny requests without TLS",
  },
  {
    title: "an unencrypted queue",
    category: "SQS",
    program: () => new aws.sqs.Queue("events", { name: "events", sqsManagedSseEnabled: false }),
    policy: "sqs-queue-encrypted",
    resource: "events",
    names: "SQS queue `events` must be encrypted",
  },
  // S3
  {
    title: "a bucket without a TLS-only policy",
    category: "S3",
    program: () => new aws.s3.Bucket("exports", {}),
    policy: "s3-bucket-tls-only",
    resource: "exports",
    names: "S3 bucket `exports` (`exports-bucket`) does not deny requests without TLS",
  },
  {
    title: "a public-read bucket policy behind a public access block",
    category: "S3",
    program: () => bucketWithPolicy("assets", { Principal: "*" }),
    policy: "s3-bucket-policy-not-public",
    resource: "assets-policy",
    names: "S3 bucket policy `assets-policy`: `policy` `Statement[0]` allows any principal",
  },
  {
    title: "a bucket policy granting another account",
    category: "S3",
    program: () => bucketWithPolicy("reports", { Principal: { AWS: "arn:aws:iam::999988887777:root" } }),
    policy: "s3-bucket-no-cross-account",
    resource: "reports-policy",
    names: "S3 bucket policy `reports-policy`: `policy` `Statement[0]` grants to account(s) 999988887777",
  },
  {
    title: "a bucket without a public access block",
    category: "S3",
    program: () => new aws.s3.Bucket("uploads-raw", {}),
    policy: "s3-bucket-public-access-blocked",
    resource: "uploads-raw",
    names: "S3 bucket `uploads-raw` (`uploads-raw-bucket`) has no BucketPublicAccessBlock",
  },
  {
    title: "an unversioned bucket",
    category: "S3",
    program: () => new aws.s3.Bucket("ledger", {}),
    policy: "s3-bucket-versioning",
    resource: "ledger",
    names: "S3 bucket `ledger` (`ledger-bucket`) is not versioned",
  },
  {
    title: "a bucket without a lifecycle rule",
    category: "S3",
    program: () => new aws.s3.Bucket("tmp-files", {}),
    policy: "s3-bucket-lifecycle",
    resource: "tmp-files",
    names: "S3 bucket `tmp-files` (`tmp-files-bucket`) has no lifecycle rule",
  },
  // CloudWatch
  {
    title: "an alarm that notifies nobody",
    category: "CloudWatch",
    program: () =>
      new aws.cloudwatch.MetricAlarm("orders-backlog-silent", {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        metricName: "ApproximateAgeOfOldestMessage",
        namespace: "AWS/SQS",
        period: 60,
        statistic: "Maximum",
        threshold: 600,
      }),
    policy: "cloudwatch-alarm-has-action",
    resource: "orders-backlog-silent",
    names: "CloudWatch alarm `orders-backlog-silent` has no `alarmActions`",
  },
  {
    title: "a log group kept forever",
    category: "CloudWatch",
    program: () => new aws.cloudwatch.LogGroup("audit-logs", { name: "/app/audit" }),
    policy: "cloudwatch-log-group-retention",
    resource: "audit-logs",
    names: "CloudWatch log group `/app/audit` keeps its events forever",
  },
  {
    title: "a log group kept 3 days",
    category: "CloudWatch",
    program: () => new aws.cloudwatch.LogGroup("debug-logs", { name: "/app/debug", retentionInDays: 3 }),
    policy: "cloudwatch-log-group-retention",
    resource: "debug-logs",
    names: "CloudWatch log group `/app/debug` sets `retentionInDays` 3, below 7",
  },
  // Lambda
  {
    title: "a function anyone may invoke",
    category: "Lambda",
    program: () => new aws.lambda.Permission("public-invoke", { action: "lambda:InvokeFunction", function: "thumbnailer", principal: "*" }),
    policy: "lambda-no-public-invoke",
    resource: "public-invoke",
    names: "Lambda permission `public-invoke` on `thumbnailer` lets anyone invoke it",
  },
  {
    title: "S3 may invoke a function for any bucket",
    category: "Lambda",
    program: () =>
      new aws.lambda.Permission("s3-invoke", { action: "lambda:InvokeFunction", function: "thumbnailer", principal: "s3.amazonaws.com" }),
    policy: "lambda-no-public-invoke",
    resource: "s3-invoke",
    names: "lets `s3.amazonaws.com` invoke it for any account's resources",
  },
  {
    title: "a function on a deprecated runtime",
    category: "Lambda",
    program: () =>
      new aws.lambda.Function("old-handler", {
        runtime: "nodejs16.x",
        handler: "index.handler",
        role: `arn:aws:iam::${ACCOUNT}:role/old-handler`,
        code: new (require("@pulumi/pulumi").asset.AssetArchive)({}),
      }),
    policy: "lambda-supported-runtime",
    resource: "old-handler",
    names: "uses runtime `nodejs16.x`, deprecated since",
  },
  // KMS
  {
    title: "a key that never rotates",
    category: "KMS",
    program: () => new aws.kms.Key("data-key", { description: "data", enableKeyRotation: false }),
    policy: "kms-key-rotation",
    resource: "data-key",
    names: "KMS key `data-key` must rotate",
  },
  // ECR
  {
    title: "a repository that does not scan on push",
    category: "ECR",
    program: () => {
      const repo = new aws.ecr.Repository("tools", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: false } });
      new aws.ecr.LifecyclePolicy("tools-lifecycle", { repository: repo.name, policy: "{}" });
    },
    policy: "ecr-repository-scan-on-push",
    resource: "tools",
    names: "ECR repository `tools` must scan on push",
  },
  {
    title: "a repository with mutable tags",
    category: "ECR",
    program: () => new aws.ecr.Repository("web", { imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } }),
    policy: "ecr-repository-immutable-tags",
    resource: "web",
    names: "ECR repository `web` must have immutable tags",
  },
  {
    title: "a repository without a lifecycle policy",
    category: "ECR",
    program: () => new aws.ecr.Repository("batch", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }),
    policy: "ecr-repository-lifecycle-policy",
    resource: "batch",
    names: "ECR repository `batch` has no lifecycle policy",
  },
];

/** Misconfigurations a stack file can carry into the real program (index.ts): a change to Pulumi.prod.yaml's `config`. */
export interface StackFileMisconfiguration {
  readonly title: string;
  readonly change: (config: Record<string, any>) => void;
  readonly policy: string;
  /** Pulumi name of the resource the finding is about. */
  readonly resource: string;
  readonly names: string;
}

const worker = (config: Record<string, any>) => config["jobworker:workers"]["orders-webhook"];

export const STACK_FILE_MISCONFIGURATIONS: readonly StackFileMisconfiguration[] = [
  {
    title: "a worker image by :latest",
    change: (c) => (worker(c).image = "nginx:latest"),
    policy: "ecs-image-pinned",
    resource: "orders-webhook-task",
    names: "container `orders-webhook` of task definition `jobworker-prod-orders-webhook`: `image` `nginx:latest`",
  },
  {
    title: "a worker image from Docker Hub by a version tag",
    change: (c) => (worker(c).image = "docker.io/library/busybox:1.36"),
    policy: "ecs-image-pinned",
    resource: "orders-webhook-task",
    names: "is pulled from outside the account's ECR by the mutable tag `1.36`",
  },
  {
    title: "a database URL with a password in env",
    change: (c) => (worker(c).env = { DATABASE_URL: "postgres://app:pw@db.internal:5432/orders" }),
    policy: "ecs-no-credential-values-env",
    resource: "orders-webhook-task",
    names: "`environment` `DATABASE_URL` holds a URL with a password",
  },
  {
    title: "an AWS access key id in env",
    change: (c) => (worker(c).env = { UPLOADER: "AKIAIOSFODNN7EXAMPLE" }),
    policy: "ecs-no-credential-values-env",
    resource: "orders-webhook-task",
    names: "`environment` `UPLOADER` holds an AWS access key id",
  },
  {
    title: "a PEM private key in env",
    change: (c) => (worker(c).env = { IDENTITY: "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----" }),
    policy: "ecs-no-credential-values-env",
    resource: "orders-webhook-task",
    names: "`environment` `IDENTITY` holds a PEM private key",
  },
  {
    title: "a token as a plain env variable",
    change: (c) => (worker(c).env = { ORDERS_API_TOKEN: "t0k3n" }),
    policy: "ecs-no-plaintext-secret-env",
    resource: "orders-webhook-task",
    names: "passes `ORDERS_API_TOKEN` as a plain `environment` variable",
  },
  {
    title: "container logs kept one day",
    change: (c) => (c["jobworker:logging"].retentionInDays = 1),
    policy: "cloudwatch-log-group-retention",
    resource: "jobworker-containers",
    names: "CloudWatch log group `/jobworker/prod/jobworker/containers` sets `retentionInDays` 1, below 7",
  },
];
