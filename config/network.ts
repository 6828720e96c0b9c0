/**
 * `jobworker:network`: exactly one of two forms. An existing VPC's ids (`vpcId`, `subnets`,
 * `routeTableIds | s3VpcEndpointId`, the default), or `create: { availabilityZones, cidrBlock?,
 * natGateways? }` for a new VPC built by the `Network` component. Errors name the key under
 * `jobworker:network` (`jobworker:network.create.cidrBlock`), the value and the fix.
 */
import type { NetworkArgs } from "../components/network/args";
import { NetworkArgsError } from "../components/network/errors";
import { settleNetworkArgs } from "../components/network/validation";
import type { ClusterNetworkArgs } from "../components/spot-ecs-cluster/args";
import { SpotEcsClusterArgsError } from "../components/spot-ecs-cluster/errors";
import { validateClusterNetwork } from "../components/spot-ecs-cluster/validation";
import { networkCreateSchema, networkSchema } from "./cluster-schema";
import { configKey, StackConfigError } from "./errors";
import { parseConfigValue } from "./zod-issues";

/** The network the stack asks for: the given ids, or the VPC to create. */
export type NetworkChoice = { readonly given: ClusterNetworkArgs } | { readonly create: NetworkArgs };

/** The keys of the existing-VPC form, in the order an error names them. */
const GIVEN_KEYS = ["vpcId", "subnets", "routeTableIds", "s3VpcEndpointId"] as const;
export const NETWORK_FORMS =
  "either { vpcId, subnets: [{ subnetId, availabilityZone }], routeTableIds | s3VpcEndpointId } (an existing VPC) or { create: { availabilityZones, cidrBlock?, natGateways? } } (a new one)";

/** Parses and validates `jobworker:network` (`topKey`), already read as JSON. */
export function parseNetworkConfig(namespace: string, topKey: string, value: unknown): NetworkChoice {
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  const given = isObject ? GIVEN_KEYS.filter((k) => k in value) : [];
  if (isObject && "create" in value) {
    if (given.length > 0) {
      throw new StackConfigError(
        configKey(namespace, topKey, ["create"]),
        `cannot be combined with ${given.join(", ")}: remove \`create\` to use that VPC, or remove ${given.join(", ")} to build a new one`,
      );
    }
    const { create } = parseConfigValue(namespace, topKey, networkCreateSchema, value);
    const args: NetworkArgs = { ...create, natGateways: create.natGateways as NetworkArgs["natGateways"] };
    try {
      settleNetworkArgs(args);
    } catch (err) {
      if (err instanceof NetworkArgsError)
        throw new StackConfigError(`${configKey(namespace, topKey, ["create"])}.${err.field}`, err.detail, { cause: err });
      throw err;
    }
    return { create: args };
  }
  if (isObject && Object.keys(value).length === 0)
    throw new StackConfigError(configKey(namespace, topKey), `is empty; expected ${NETWORK_FORMS}`);
  const network = parseConfigValue(namespace, topKey, networkSchema, value);
  try {
    validateClusterNetwork(network);
  } catch (err) {
    if (err instanceof SpotEcsClusterArgsError)
      throw new StackConfigError(`${configKey(namespace, topKey)}.${err.field}`, err.detail, { cause: err });
    throw err;
  }
  return { given: network };
}
