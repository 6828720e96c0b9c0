/**
 * Security group ingress from anywhere (0.0.0.0/0, ::/0). Remote administration and the other
 * high-risk ports of Security Hub EC2.19 are never open to the internet; any other port only when
 * `allowedPublicPorts` lists it (EC2.18's authorised ports).
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, forType } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

/** EC2.53/EC2.54 (22, 3389) and EC2.19's high-risk ports. */
export const HIGH_RISK_PORTS = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
] as const;

const ANYWHERE = ["0.0.0.0/0", "::/0"];

const ingressSchema: PolicyConfigSchema = {
  properties: {
    allowedPublicPorts: {
      type: "array",
      items: { type: "integer" },
      default: [],
      description: "Ports that may be open to 0.0.0.0/0 or ::/0 (e.g. 443 on a load balancer); high-risk ports never are.",
    },
  },
};

/** One ingress permission in the provider's various spellings. */
interface Ingress {
  readonly field: string;
  readonly cidrs: string[];
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
}

function ingressOf(field: string, r: Props, v4Key: string, v6Key: string, protocolKey: string): Ingress {
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []).filter((c): c is string => typeof c === "string");
  return {
    field,
    cidrs: [...list(r[v4Key]), ...list(r[v6Key])],
    protocol: String(r[protocolKey] ?? "-1"),
    fromPort: Number(r.fromPort ?? 0),
    toPort: Number(r.toPort ?? 65535),
  };
}

/** The ports of a permission open to anywhere that are not allowed: high-risk ones, then any other not listed. */
function problemOf(rule: Ingress, allowed: number[]): string | undefined {
  const open = rule.cidrs.filter((c) => ANYWHERE.includes(c));
  if (open.length === 0) return undefined;
  const all = rule.protocol === "-1" || rule.protocol.toLowerCase() === "all";
  const [from, to] = all ? [0, 65535] : [rule.fromPort, rule.toPort];
  const risky = HIGH_RISK_PORTS.filter((p) => p >= from && p <= to);
  const source = open.join(" and ");
  if (risky.length > 0)
    return `opens ${risky.slice(0, 6).join(", ")}${risky.length > 6 ? ", …" : ""} (remote administration or high-risk ports) to ${source}`;
  const notAllowed = from !== to || !allowed.includes(from);
  return notAllowed
    ? `opens ${from === to ? `port ${from}` : `ports ${from}-${to}`} to ${source}, and \`allowedPublicPorts\` does not list it`
    : undefined;
}

export const securityGroupIngress: ResourceValidationPolicy = {
  name: "ec2-security-group-no-public-ingress",
  description:
    "Checks whether no security group ingress opens remote administration or high-risk ports to 0.0.0.0/0 or ::/0, nor any port `allowedPublicPorts` does not list (Security Hub EC2.13, EC2.14, EC2.18, EC2.19, EC2.53, EC2.54, CKV_AWS_24, CKV_AWS_25, CKV_AWS_260).",
  enforcementLevel: "mandatory",
  configSchema: ingressSchema,
  validateResource: [
    forType<Props>(TYPES.securityGroup, (props, args, report) => {
      const { allowedPublicPorts } = configWithDefaults<{ allowedPublicPorts: number[] }>(ingressSchema, args);
      (Array.isArray(props.ingress) ? (props.ingress as Props[]) : []).forEach((r, i) => {
        const problem = problemOf(ingressOf(`ingress[${i}]`, r, "cidrBlocks", "ipv6CidrBlocks", "protocol"), allowedPublicPorts);
        if (problem)
          report(
            `security group \`${props.name ?? args.name}\`: \`ingress[${i}]\` ${problem}: narrow \`cidrBlocks\` to known ranges, or reach the instances through SSM Session Manager.`,
          );
      });
    }),
    forType<Props>(TYPES.securityGroupRule, (props, args, report) => {
      if (props.type !== "ingress") return;
      const { allowedPublicPorts } = configWithDefaults<{ allowedPublicPorts: number[] }>(ingressSchema, args);
      const problem = problemOf(ingressOf("", props, "cidrBlocks", "ipv6CidrBlocks", "protocol"), allowedPublicPorts);
      if (problem)
        report(
          `security group rule \`${args.name}\` ${problem}: narrow \`cidrBlocks\` to known ranges, or reach the instances through SSM Session Manager.`,
        );
    }),
    forType<Props>(TYPES.securityGroupIngressRule, (props, args, report) => {
      const { allowedPublicPorts } = configWithDefaults<{ allowedPublicPorts: number[] }>(ingressSchema, args);
      const problem = problemOf(ingressOf("", props, "cidrIpv4", "cidrIpv6", "ipProtocol"), allowedPublicPorts);
      if (problem) report(`security group ingress rule \`${args.name}\` ${problem}: narrow \`cidrIpv4\`/\`cidrIpv6\` to known ranges.`);
    }),
  ],
};
