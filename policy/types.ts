/**
 * The few input/output shapes of @pulumi/aws resources the policies read, as plain types. The pack
 * imports neither @pulumi/aws (slow to load, and the engine hands us plain property bags anyway) nor
 * anything from the program: it judges what a stack sends to the engine, whoever wrote it.
 */

/** Type tokens of the resources the policies check. */
export const TYPES = {
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  encryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  queue: "aws:sqs/queue:Queue",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  spotFleetRequest: "aws:ec2/spotFleetRequest:SpotFleetRequest",
  ecrRepository: "aws:ecr/repository:Repository",
  scalableTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  managedPolicy: "aws:iam/policy:Policy",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  kmsKey: "aws:kms/key:Key",
  kmsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
  ecrRepositoryPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
  lambdaFunction: "aws:lambda/function:Function",
  lambdaPermission: "aws:lambda/permission:Permission",
  instance: "aws:ec2/instance:Instance",
  ebsVolume: "aws:ebs/volume:Volume",
  subnet: "aws:ec2/subnet:Subnet",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  ecrLifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
} as const;

/** One entry of a task definition's `containerDefinitions` JSON (ECS API names). */
export interface ContainerDefinition {
  name?: string;
  image?: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  privileged?: boolean;
  user?: string;
  readonlyRootFilesystem?: boolean;
  environment?: { name?: string; value?: string }[];
  secrets?: { name?: string; valueFrom?: string }[];
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  linuxParameters?: { capabilities?: { add?: string[]; drop?: string[] }; tmpfs?: { containerPath?: string; size?: number }[] };
}

export interface TaskDefinitionProps {
  family?: string;
  /** Task-level CPU units and memory (MiB): a resource limit for the whole task. */
  cpu?: string;
  memory?: string;
  networkMode?: string;
  pidMode?: string;
  ipcMode?: string;
  /** JSON text: an array of {@link ContainerDefinition}. */
  containerDefinitions?: string;
  arn?: string;
  arnWithoutRevision?: string;
}

export interface QueueProps {
  name?: string;
  arn?: string;
  url?: string;
  id?: string;
  sqsManagedSseEnabled?: boolean;
  kmsMasterKeyId?: string;
  /** JSON text: `{ deadLetterTargetArn, maxReceiveCount }`. */
  redrivePolicy?: string;
}

export interface LaunchTemplateProps {
  name?: string;
  metadataOptions?: { httpTokens?: string; httpEndpoint?: string };
}

export interface SpotFleetOverride {
  instanceType?: string;
  subnetId?: string;
  spotPrice?: string;
  instanceRequirements?: Record<string, unknown>;
}

export interface SpotFleetRequestProps {
  spotPrice?: string;
  launchSpecifications?: { instanceType?: string; subnetId?: string; spotPrice?: string }[];
  launchTemplateConfigs?: { overrides?: SpotFleetOverride[] }[];
}

export interface EcrRepositoryProps {
  name?: string;
  imageTagMutability?: string;
  imageScanningConfiguration?: { scanOnPush?: boolean };
}

export interface LambdaFunctionProps {
  name?: string;
  /** Runtime identifier (`nodejs24.x`); absent for a container image function. */
  runtime?: string;
  /** `Zip` (default) or `Image`. */
  packageType?: string;
}
