/**
 * The worker's ECR repository (scan on push, immutable tags, lifecycle) and its image: an existing
 * URI, or a build of the repository (`workers/Dockerfile`, `--build-arg WORKER=<kind>`, the kind's
 * folder as the named context `kind`) pushed to it under its content tag (`image-sources.ts`).
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ImageArgs } from "./args";
import { JOB_WORKER_DEFAULTS } from "./args";
import { JobWorkerArgsError } from "./errors";
import { imageTag } from "./image-sources";

/** ECR lifecycle policy: expire all but the newest `keep` images. */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/** The ARN of the ECR repository an image URI points to, or undefined for other registries. */
export function ecrRepositoryArnOf(uri: string, partition = "aws"): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(uri);
  return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/** A build with every default applied; paths as the docker-build provider gets them. */
export interface SettledImageBuild {
  /** The build context, relative to the program's directory. */
  readonly context: string;
  readonly dockerfile: string;
  /** The kind's folder (the named context `kind`). */
  readonly kindContext: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly platform: "linux/amd64" | "linux/arm64";
  readonly tag: string;
}

export type SettledImage = { readonly uri: string } | { readonly build: SettledImageBuild };

/**
 * Applies the image defaults and computes the content tag. Paths become relative to `cwd`, the
 * program's directory, where the engine also starts the docker-build provider: docker-build rebuilds
 * when `context.location`, a named context or `dockerfile.location` changes, so an absolute path
 * would rebuild (and re-push an immutable tag) whenever the program runs from another checkout.
 * Throws `JobWorkerArgsError` when the context, Dockerfile or kind folder is missing.
 */
export function settleImage(worker: string, kind: string, image: ImageArgs, cwd: string = process.cwd()): SettledImage {
  if ("uri" in image) return image;
  const b = image.build;
  const d = JOB_WORKER_DEFAULTS;
  const context = resolve(cwd, b.context);
  const dockerfile = resolve(cwd, b.dockerfile ?? join(context, d.dockerfile));
  const kindContext = resolve(cwd, b.kindContext ?? join(context, d.kindsDir, kind));
  const required: Array<[field: string, path: string, exists: boolean, fix: string]> = [
    ["context", context, isDirectory(context), "give the repository root"],
    ["dockerfile", dockerfile, isFile(dockerfile), "give the worker Dockerfile"],
    [
      "kindContext",
      kindContext,
      isDirectory(kindContext),
      `kind \`${kind}\` needs its own folder with a handler (${d.kindsDir}/${kind}/handler.ts)`,
    ],
  ];
  for (const [field, path, exists, fix] of required) {
    if (!exists) throw new JobWorkerArgsError(worker, `image.build.${field}`, `is \`${path}\`, which does not exist: ${fix}.`);
  }
  const fromCwd = (path: string) => relative(cwd, path) || ".";
  const settled = {
    context: fromCwd(context),
    dockerfile: fromCwd(dockerfile),
    kindContext: fromCwd(kindContext),
    buildArgs: { WORKER: kind },
    platform: b.platform ?? d.imagePlatform,
  };
  // Every input whose change makes docker-build rebuild is in the tag, so no rebuild reuses a tag.
  const buildInputs = { ...settled, kindContextName: d.kindContextName };
  const tag = b.tag ?? imageTag({ context, dockerfile, kindContext }, buildInputs);
  return { build: { ...settled, tag } };
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

export interface WorkerImage {
  readonly repository: aws.ecr.Repository;
  /** What the task definition runs: the given URI, or the pushed build pinned by digest. */
  readonly imageUri: pulumi.Output<string>;
}

/** The worker's repository, and the image the task definition runs (built and pushed when `image` is a build). */
export function createImage(
  name: string,
  image: SettledImage,
  options: { parent: pulumi.Resource; keepImages: number; tags: Record<string, string> },
): WorkerImage {
  const opts = { parent: options.parent };
  const repository = new aws.ecr.Repository(
    `${name}-repo`,
    {
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      tags: options.tags,
    },
    opts,
  );
  new aws.ecr.LifecyclePolicy(`${name}-repo-lifecycle`, { repository: repository.name, policy: lifecyclePolicy(options.keepImages) }, opts);
  if ("uri" in image) return { repository, imageUri: pulumi.output(image.uri) };
  const b = image.build;
  const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, opts);
  const built = new dockerBuild.Image(
    `${name}-image`,
    {
      context: { location: b.context, named: { [JOB_WORKER_DEFAULTS.kindContextName]: { location: b.kindContext } } },
      dockerfile: { location: b.dockerfile },
      buildArgs: { ...b.buildArgs },
      platforms: [b.platform as dockerBuild.Platform],
      push: true,
      tags: [pulumi.interpolate`${repository.repositoryUrl}:${b.tag}`],
      registries: [{ address: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
    },
    opts,
  );
  return { repository, imageUri: pulumi.interpolate`${repository.repositoryUrl}@${built.digest}` };
}
