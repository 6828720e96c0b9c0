import assert from "node:assert/strict";
import {
  credentialShape,
  ecsContainerLogConfiguration,
  ecsImagePinned,
  ecsNoAddedCapabilities,
  ecsNoCredentialValues,
  ecsNoHostNamespaces,
  unpinnedImage,
} from "../../../policy/rules/ecs-task";
import type { ContainerDefinition } from "../../../policy/types";
import { container, policyTable, taskDefinition, without } from "../fixtures";

const withTask = (inputs: Record<string, unknown>, containers: ContainerDefinition[] = [container()]) => {
  const td = taskDefinition(containers);
  return { ...td, inputs: { ...td.inputs, ...inputs } };
};

describe("policy ecs-no-host-namespaces", () => {
  policyTable(ecsNoHostNamespaces, [
    { title: "bridge mode passes", resources: [withTask({ networkMode: "bridge" })], expected: [] },
    {
      title: "host network mode",
      resources: [withTask({ networkMode: "host" })],
      expected: [/^task definition `feed-normalize` sets `networkMode` "host" .*add the family to this policy's `hostNetworkFamilies`/],
    },
    {
      title: "host network mode of an allow-listed DAEMON family passes",
      resources: [withTask({ networkMode: "host", family: "jobworker-log-collector" })],
      config: { "ecs-no-host-namespaces": { hostNetworkFamilies: ["*-log-collector"] } },
      expected: [],
    },
    {
      title: "the allow-list covers the network only, never the PID namespace",
      resources: [withTask({ networkMode: "host", pidMode: "host", family: "jobworker-log-collector" })],
      config: { "ecs-no-host-namespaces": { hostNetworkFamilies: ["*-log-collector"] } },
      expected: [/^task definition `jobworker-log-collector` sets `pidMode` "host"/],
    },
    { title: "host IPC namespace", resources: [withTask({ ipcMode: "host" })], expected: [/sets `ipcMode` "host"/] },
  ]);
});

describe("policy ecs-no-added-capabilities", () => {
  policyTable(ecsNoAddedCapabilities, [
    {
      title: "dropping capabilities passes",
      resources: [taskDefinition([container({ linuxParameters: { capabilities: { drop: ["ALL"] } } })])],
      expected: [],
    },
    {
      title: "SYS_ADMIN added",
      resources: [taskDefinition([container({ linuxParameters: { capabilities: { add: ["SYS_ADMIN", "NET_ADMIN"] } } })])],
      expected: [/^container `worker` of task definition `feed-normalize` adds capabilities `SYS_ADMIN`, `NET_ADMIN`/],
    },
  ]);
});

describe("policy ecs-container-log-configuration", () => {
  policyTable(ecsContainerLogConfiguration, [
    { title: "a fluentd log driver passes", resources: [taskDefinition()], expected: [] },
    {
      title: "no log configuration",
      resources: [taskDefinition([without(container(), "logConfiguration")])],
      expected: [/^container `worker` of task definition `feed-normalize` has no `logConfiguration.logDriver`/],
    },
  ]);
});

describe("policy ecs-image-pinned", () => {
  const digest = "sha256:" + "a".repeat(64);
  policyTable(ecsImagePinned, [
    { title: "the account's ECR by tag passes", resources: [taskDefinition()], expected: [] },
    {
      title: "a public image by digest passes",
      resources: [taskDefinition([container({ image: `public.ecr.aws/x/y@${digest}` })])],
      expected: [],
    },
    {
      title: "latest",
      resources: [taskDefinition([container({ image: "nginx:latest" })])],
      expected: [/`image` `nginx:latest` is pulled by the tag `latest`/],
    },
    { title: "no tag", resources: [taskDefinition([container({ image: "nginx" })])], expected: [/is pulled by no tag \(so `latest`\)/] },
    {
      title: "a public image by a version tag",
      resources: [taskDefinition([container({ image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5" })])],
      expected: [/is pulled from outside the account's ECR by the mutable tag `2.32.5`: pin it by digest/],
    },
  ]);

  it("reads registry ports and digests correctly", () => {
    assert.equal(unpinnedImage(`localhost:5000/app@${digest}`), undefined);
    assert.match(unpinnedImage("localhost:5000/app")!, /no tag/);
    assert.equal(
      unpinnedImage("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:latest"),
      "is pulled by the tag `latest`, which moves",
    );
  });
});

describe("policy ecs-no-credential-values-env", () => {
  const env = (name: string, value: string) => taskDefinition([container({ environment: [{ name, value }] })]);
  policyTable(ecsNoCredentialValues, [
    { title: "a plain URL passes", resources: [env("ORDERS_URL", "https://orders.example.com/v1")], expected: [] },
    {
      title: "a database URL with a password, innocently named",
      resources: [env("DATABASE_URL", "postgres://app:pw@db.internal:5432/app")],
      expected: [
        /^container `worker` of task definition `feed-normalize`: `environment` `DATABASE_URL` holds a URL with a password in its user info: move it to `secrets`/,
      ],
    },
    {
      title: "an AWS access key id",
      resources: [env("UPLOADER", "AKIAIOSFODNN7EXAMPLE")],
      expected: [/`UPLOADER` holds an AWS access key id/],
    },
    {
      title: "a PEM private key",
      resources: [env("SFTP_IDENTITY", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----")],
      expected: [/`SFTP_IDENTITY` holds a PEM private key/],
    },
  ]);

  it("does not take a URL's user without a password for a credential", () => {
    assert.equal(credentialShape("sftp://jobworker@sftp.example.com/in"), undefined);
  });
});
