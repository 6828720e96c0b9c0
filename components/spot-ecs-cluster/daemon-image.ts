/**
 * A daemon's image as its task runs it (the log collector's and every `daemons` entry's): pinned by
 * digest. An image already pinned (`…@sha256:<digest>`) or in the account's ECR is used as given; any
 * other (a public image by tag, the collector's default) is mirrored into an ECR repository of the
 * cluster's, `<cluster>-<daemon>` (scan on push, immutable tags, a lifecycle policy), by a build of
 * `daemon-mirror/Dockerfile` (`FROM <upstream>`), and the task runs the pushed digest. The tag in the
 * repository is the upstream tag.
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { relative, resolve } from "node:path";
import { lifecyclePolicy } from "../job-worker/image";

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//;

/** Whether an image reference can run as given: pinned by digest, or in the account's ECR. */
export function isPinnedImage(image: string): boolean {
  return DIGEST.test(image) || PRIVATE_ECR.test(image);
}

/** The tag the mirror pushes: the upstream's tag (`2.32.5`), or `latest` when it names none. */
export function mirrorTag(upstream: string): string {
  const last = upstream.slice(upstream.lastIndexOf("/") + 1);
  return last.includes(":") ? last.slice(last.indexOf(":") + 1) : "latest";
}

/** Images the mirror keeps in its repository. */
const KEEP_IMAGES = 5;

export function daemonImage(
  name: string,
  upstream: string,
  options: { parent: pulumi.Resource; tags: Record<string, string>; platform: "linux/amd64" | "linux/arm64"; cwd?: string },
): pulumi.Output<string> {
  if (isPinnedImage(upstream)) return pulumi.output(upstream);
  const opts = { parent: options.parent };
  const repository = new aws.ecr.Repository(
    name,
    {
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      tags: options.tags,
    },
    opts,
  );
  new aws.ecr.LifecyclePolicy(`${name}-lifecycle`, { repository: repository.name, policy: lifecyclePolicy(KEEP_IMAGES) }, opts);
  // Relative to the program's directory, as docker-build compares it (an absolute path rebuilds per checkout).
  const context = relative(options.cwd ?? process.cwd(), resolve(__dirname, "daemon-mirror")) || ".";
  const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, opts);
  const mirrored = new dockerBuild.Image(
    `${name}-image`,
    {
      context: { location: context },
      buildArgs: { UPSTREAM: upstream },
      platforms: [options.platform as dockerBuild.Platform],
      push: true,
      tags: [pulumi.interpolate`${repository.repositoryUrl}:${mirrorTag(upstream)}`],
      registries: [{ address: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
    },
    opts,
  );
  return pulumi.interpolate`${repository.repositoryUrl}@${mirrored.digest}`;
}
