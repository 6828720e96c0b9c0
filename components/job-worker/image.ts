/**
 * The worker's ECR repository (scan on push, immutable tags, lifecycle) and its image: an existing
 * URI, or a build of the repository (`workers/Dockerfile`, `--build-arg WORKER=<kind>`) pushed to it.
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ImageArgs } from "./args";
import { JOB_WORKER_DEFAULTS } from "./args";

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

const SKIP = new Set(["node_modules", "dist", ".git", ".venv"]);
const tagCache = new Map<string, string>();

/** A content hash of the given paths under `context` (16 hex characters), skipping node_modules, dist, .git. */
export function hashSources(context: string, paths: readonly string[]): string {
  const hash = createHash("sha256");
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!SKIP.has(entry)) visit(join(path, entry));
    } else if (stat.isFile()) {
      hash.update(relative(context, path)).update("\u0000").update(readFileSync(path)).update("\u0000");
    }
  };
  for (const p of paths) visit(join(context, p));
  return hash.digest("hex").slice(0, 16);
}

/**
 * The default image tag: `hashSources`, computed once per process and context (every worker kind
 * builds from the same sources). Tags are immutable, so a new tag exactly when the sources change.
 */
export function sourceTag(context: string, paths: readonly string[]): string {
  const cacheKey = `${context}\u0000${paths.join("\u0000")}`;
  let tag = tagCache.get(cacheKey);
  if (tag === undefined) {
    tag = hashSources(context, paths);
    tagCache.set(cacheKey, tag);
  }
  return tag;
}

export interface WorkerImage {
  readonly repository: aws.ecr.Repository;
  /** What the task definition runs: the given URI, or the pushed build pinned by digest. */
  readonly imageUri: pulumi.Output<string>;
}

export function createImage(
  name: string,
  kind: string,
  image: ImageArgs,
  options: { parent: pulumi.Resource; keepImages: number; tags: Record<string, string> },
): WorkerImage {
  const opts = { parent: options.parent };
  const repository = new aws.ecr.Repository(`${name}-repo`, {
    imageScanningConfiguration: { scanOnPush: true },
    imageTagMutability: "IMMUTABLE",
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    tags: options.tags,
  }, opts);
  new aws.ecr.LifecyclePolicy(`${name}-repo-lifecycle`, { repository: repository.name, policy: lifecyclePolicy(options.keepImages) }, opts);
  if ("uri" in image) return { repository, imageUri: pulumi.output(image.uri) };
  const b = image.build;
  const tag = b.tag ?? sourceTag(b.context, b.hashPaths ?? JOB_WORKER_DEFAULTS.hashPaths);
  const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, opts);
  const built = new dockerBuild.Image(`${name}-image`, {
    context: { location: b.context },
    dockerfile: { location: b.dockerfile ?? join(b.context, "workers", "Dockerfile") },
    buildArgs: { WORKER: kind },
    platforms: [(b.platform ?? JOB_WORKER_DEFAULTS.imagePlatform) as dockerBuild.Platform],
    push: true,
    tags: [pulumi.interpolate`${repository.repositoryUrl}:${tag}`],
    registries: [{ address: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
  }, opts);
  return { repository, imageUri: pulumi.interpolate`${repository.repositoryUrl}@${built.digest}` };
}
