/**
 * The one output-binding schema. A binding says where an output slot delivers: `s3`, `rest`, `sftp`,
 * `ftp`, or `worker` (the next worker's input), optionally with a protobuf `format`. Every other
 * description of a binding derives from this file: the types (`z.infer`, re-exported by
 * `contract.ts`), the stack config (`config/workers.ts`), the JobWorker component's check of its
 * `outputs` and its task role's secret grants (`secretRefsOf`), the runtime's parsing of
 * `JOBWORKER_OUTPUTS` (`workers/runtime/settings.ts`) and the connectors' validation
 * (`workers/connectors/validation.ts`). docs/connectors.md documents the fields; a test holds its
 * field lists to this schema.
 */
import { z } from "zod";
import { arrivalFields, checkFileDelivery, fileDeliveryFields } from "./binding-delivery";
import { splitSecretRef, type SecretRef } from "./secret-ref";
import { SSH_ALGORITHMS, type SshAlgorithmKind } from "./ssh-algorithms";

/**
 * Where a binding is read, which decides the forms a few fields take:
 * - `stack`: a stack file or `JobWorkerArgs`, deployed to AWS. `worker` chains into another worker;
 *   secrets are references IAM can grant (`ssm:`, `secretsmanager:`); a KMS key is an ARN, so the
 *   task role can be scoped to it.
 * - `container`: `JOBWORKER_OUTPUTS` and `createConnector`, on AWS or a laptop. Chaining is already
 *   resolved to `s3`; `env:`/`file:` secrets and a KMS key id or alias are accepted too.
 */
export type BindingSite = "stack" | "container";

/** What a binding field's schema tells the code that derives from the schema. */
export interface BindingFieldMeta {
  /** The field holds a secret reference: the runtime resolves it and the task role is granted it. */
  readonly secret: true;
}

/** Metadata of binding fields, keyed by the field's schema. */
export const bindingFieldMeta = z.registry<BindingFieldMeta>();

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
/** `SHA256:<base64>` as `ssh-keygen -lf` prints it (43 base64 characters, no padding). */
export const HOST_KEY_SHA256 = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
/** A customer managed key's ARN: what IAM can scope a grant to. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

// --- field rules: each message is the fix, a phrase that reads after "is <value>:"

const text = (fix = "set a non-empty string") => z.string({ error: fix }).refine((s) => s.trim() !== "", { message: fix, abort: true });
const flag = (fix = "use true or false") => z.boolean({ error: fix });
const numberWhere = (ok: (n: number) => boolean, fix: string) => z.number({ error: fix }).refine(ok, fix);

const port = () => numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= 65535, "use a TCP port, 1-65535");
const host = () =>
  text().refine((h) => !/[\s/@:]/.test(h) || /^\[[0-9a-fA-F:]+\]$/.test(h), "give a host name or IP address only, no scheme, port or path");
const remoteDirectory = () =>
  text()
    // eslint-disable-next-line no-control-regex
    .refine((d) => !/[\x00-\x1f\x7f]/.test(d), "remove control characters")
    .refine((d) => !d.split("/").includes(".."), "remove `..` segments");

function secretRef(site: BindingSite) {
  const scope = site === "stack" ? "deployed" : "anywhere";
  const problem = (ref: unknown) => splitSecretRef(ref, scope).problem;
  return z
    .string({ error: (issue) => problem(issue.input) })
    .superRefine((ref, ctx) => {
      const found = problem(ref);
      if (found) ctx.addIssue({ code: "custom", message: found });
    })
    .register(bindingFieldMeta, { secret: true });
}

function kmsKeyId(site: BindingSite) {
  const arn = "give the key's ARN (a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>) so the task role can be scoped to it";
  return site === "stack" ? z.string({ error: arn }).regex(KMS_KEY_ARN, arn) : text("give an SSE-KMS key id, ARN or alias");
}

const httpsUrl = () =>
  z.string({ error: "use an absolute https URL" }).superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "not a URL; use an absolute https URL" });
      return;
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
      ctx.addIssue({ code: "custom", message: "use https (plain http is allowed only for loopback test servers)" });
    }
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "remove credentials from the URL; use `authSecret`" });
  });

// --- transport pieces several binding types share (issue 18)

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Headers the connector sets itself: a static header may not replace them. */
const RESERVED_HEADERS = ["content-type", "content-length", "transfer-encoding", "host", "idempotency-key", "connection"];

/** Static, non-secret request headers (`rest`): secrets go in `authSecret`. */
const staticHeaders = () =>
  z
    .record(z.string(), z.string({ error: "give each header a string value" }), { error: "give an object of header names to values" })
    .superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers)) {
        if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "use an HTTP header name" });
        else if (RESERVED_HEADERS.includes(name.toLowerCase()))
          ctx.addIssue({ code: "custom", path: [name], message: "the connector sets this header itself; remove it" });
        // eslint-disable-next-line no-control-regex
        if (/[\r\n\x00]/.test(value)) ctx.addIssue({ code: "custom", path: [name], message: "remove line breaks and NUL from the value" });
      }
    });

/** A SOCKS5 or HTTP CONNECT proxy an `sftp` or `ftp` binding connects through; its password is `proxyPasswordSecret`. */
const proxySchema = () =>
  z.strictObject(
    {
      type: z.enum(["socks5", "http"], { error: 'use "socks5" or "http" (HTTP CONNECT)' }),
      host: host(),
      port: port(),
      /** Proxy login, with `proxyPasswordSecret`. @default no proxy authentication */
      username: text().optional(),
    },
    { error: 'give `{ type: "socks5" | "http", host, port }`' },
  );

/** SSH algorithm lists, each a subset of what ssh2 supports (`catalog/ssh-algorithms.ts`), in preference order. */
const sshAlgorithms = () =>
  z.strictObject(
    Object.fromEntries(
      (Object.keys(SSH_ALGORITHMS) as SshAlgorithmKind[]).map((kind) => {
        const known: readonly string[] = SSH_ALGORITHMS[kind];
        const fix = `list one or more of ${known.join(", ")}`;
        return [
          kind,
          z
            .array(z.string({ error: fix }), { error: fix })
            .min(1, fix)
            .refine((xs) => xs.every((x) => known.includes(x)), fix)
            .optional(),
        ];
      }),
    ) as Record<SshAlgorithmKind, z.ZodOptional<z.ZodArray<z.ZodString>>>,
    { error: "give `{ kex?, cipher?, serverHostKey?, hmac? }`, each a list of algorithm names" },
  );

const hostKeyPin = () =>
  z
    .string({ error: "pin the server's host key" })
    .regex(HOST_KEY_SHA256, "pin the server's host key as `SHA256:<base64>`, as `ssh-keyscan -p PORT HOST | ssh-keygen -lf -` prints it");

/** Where a response value is captured from (`rest`): a JSON pointer or a regular expression's first group. */
const captureSchema = () =>
  z
    .strictObject(
      {
        /** RFC 6901 pointer into a JSON response, e.g. `/receipt/id`. */
        jsonPointer: z
          .string({ error: "use a JSON pointer such as `/receipt/id`" })
          .regex(/^(\/([^~/]|~[01])*)+$/, "use a JSON pointer such as `/receipt/id`")
          .optional(),
        /** Regular expression; its first capture group (or the whole match) is kept. */
        pattern: z
          .string({ error: "use a regular expression" })
          .refine((p) => {
            try {
              new RegExp(p);
              return true;
            } catch {
              return false;
            }
          }, "use a valid JavaScript regular expression")
          .optional(),
        /** Response bytes read at most. @default 65536 */
        maxBytes: numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= 1_048_576, "use an integer from 1 to 1048576").optional(),
      },
      { error: "give `{ jsonPointer }` or `{ pattern }`" },
    )
    .refine((c) => (c.jsonPointer === undefined) !== (c.pattern === undefined), "set exactly one of `jsonPointer` and `pattern`");

/** Protocol Buffers encoding of a slot's records (`workers/connectors/protobuf.ts`). */
export const protobufFormatSchema = z.strictObject(
  {
    type: z.literal("protobuf", { error: 'the only format is "protobuf"' }),
    /** `.proto` file relative to `workers/schemas/`. */
    schema: z
      .string({ error: "name a `.proto` file relative to `workers/schemas/`, e.g. `partner/v1/record.proto`" })
      .refine(
        (s) => s.endsWith(".proto") && !s.startsWith("/") && !s.split("/").includes(".."),
        "name a `.proto` file relative to `workers/schemas/`, e.g. `partner/v1/record.proto`",
      ),
    /** Fully qualified message type, e.g. `partner.v1.Record`. */
    messageType: z
      .string({ error: "use a fully qualified message type, e.g. `partner.v1.Record`" })
      .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, "use a fully qualified message type, e.g. `partner.v1.Record`"),
    /** One length-delimited stream of many messages (true), or one container message (false). @default true */
    delimited: flag().optional(),
  },
  { error: 'give `{ type: "protobuf", schema, messageType }`' },
);

// --- the binding types

/** Write into the input of another worker of the same stack (chaining). Resolved to `s3` by the program. */
const workerBinding = z.strictObject({
  type: z.literal("worker"),
  /** Name of the next worker. */
  worker: text("name another worker of this stack"),
});

/** The binding types a container delivers to, with the forms `site` accepts. */
function deliveryBindings(site: BindingSite) {
  const format = protobufFormatSchema.optional();
  // --- partner file delivery (catalog/binding-delivery.ts): name template, compression, PGP, sidecars, trigger, arrival
  const file = fileDeliveryFields(() => secretRef(site));
  const arrival = arrivalFields();
  return {
    s3: z
      .strictObject({
        type: z.literal("s3"),
        bucket: z
          .string({ error: "use an S3 bucket name" })
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "use an S3 bucket name (3-63 lowercase letters, digits, `.`, `-`)"),
        /** Key prefix, no leading slash. @default "" */
        prefix: z
          .string({ error: "use a key prefix" })
          .refine((p) => !p.startsWith("/"), "S3 keys have no leading slash: use a key prefix without a leading `/`")
          .optional(),
        /** SSE-KMS key for the written objects: its ARN in a stack; an id or alias also in a local run. @default bucket default encryption */
        kmsKeyId: kmsKeyId(site).optional(),
        /** Grant the bucket owner full control (cross-account delivery). @default false */
        bucketOwnerFullControl: flag().optional(),
        format,
        ...file,
      })
      .superRefine(checkFileDelivery),
    rest: z
      .strictObject({
        type: z.literal("rest"),
        /** https URL (http only for loopback). */
        url: httpsUrl(),
        /** @default "POST" */
        method: z.enum(["POST", "PUT"], { error: 'use "POST" or "PUT"' }).optional(),
        /** Send the payload as one body, or its records in JSON batches. @default "payload" */
        mode: z.enum(["payload", "records"], { error: 'use "payload" or "records"' }).optional(),
        /** Header that carries the secret. @default "Authorization" */
        authHeader: z
          .string({ error: "use an HTTP header name" })
          .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "use an HTTP header name")
          .optional(),
        /** The header's value, by reference. @default no auth header */
        authSecret: secretRef(site).optional(),
        /** Per-attempt timeout in seconds. @default 30 */
        timeoutSeconds: numberWhere((n) => n > 0 && n <= 900, "use a number of seconds above 0 and at most 900").optional(),
        /** Records per JSON batch in `records` mode (the payload is NDJSON). @default 500 */
        batchSize: numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= 10_000, "use an integer from 1 to 10000").optional(),
        /** Static, non-secret headers sent with every request. @default none */
        headers: staticHeaders().optional(),
        /** Client certificate (PEM) for mutual TLS, with `clientKeySecret`. @default no client certificate */
        clientCertSecret: secretRef(site).optional(),
        /** The client certificate's private key (PEM). */
        clientKeySecret: secretRef(site).optional(),
        /** PEM certificate(s) to trust for the server (a private CA). @default the Node.js CA store */
        tlsCaSecret: secretRef(site).optional(),
        /** OAuth2 client credentials grant: the token goes in `Authorization` as `Bearer <token>`. @default none */
        oauth2: z
          .strictObject(
            {
              tokenUrl: httpsUrl(),
              /** Space-separated scopes. @default none */
              scope: text().optional(),
              /** `audience` parameter some providers (Auth0, Okta) require. @default none */
              audience: text().optional(),
            },
            { error: "give `{ tokenUrl, scope?, audience? }`" },
          )
          .optional(),
        /** The OAuth2 client id, by reference. */
        oauth2ClientIdSecret: secretRef(site).optional(),
        /** The OAuth2 client secret, by reference. */
        oauth2ClientSecret: secretRef(site).optional(),
        /** Send the payload as one file part of a `multipart/form-data` body. @default a plain body */
        multipart: z
          .strictObject(
            {
              /** The file part's field name. @default "file" */
              field: text().optional(),
              /** Extra text fields sent before the file. @default none */
              fields: z.record(z.string(), z.string({ error: "give each field a string value" })).optional(),
            },
            { error: "give `{ field?, fields? }`" },
          )
          .optional(),
        /** Capture a value (e.g. a receipt id) from the response into the delivery's log line and result. @default none */
        captureResponse: captureSchema().optional(),
        format,
      })
      .superRefine((b, ctx) => {
        pairOf(b, ctx, "clientCertSecret", "clientKeySecret");
        const oauth = ["oauth2", "oauth2ClientIdSecret", "oauth2ClientSecret"] as const;
        const set = oauth.filter((f) => b[f] !== undefined);
        if (set.length > 0 && set.length < oauth.length) {
          for (const f of oauth.filter((f) => b[f] === undefined))
            ctx.addIssue({ code: "custom", path: [f], message: `set it too: OAuth2 needs ${oauth.map((o) => `\`${o}\``).join(", ")}` });
        }
        if (b.oauth2 !== undefined && b.authSecret !== undefined && (b.authHeader ?? "Authorization").toLowerCase() === "authorization")
          ctx.addIssue({
            code: "custom",
            path: ["authHeader"],
            message: "name another header for `authSecret` (e.g. `X-Api-Key`): with `oauth2` the token takes `Authorization`",
          });
        const authHeaders = [
          ...(b.authSecret !== undefined ? [(b.authHeader ?? "Authorization").toLowerCase()] : []),
          ...(b.oauth2 !== undefined ? ["authorization"] : []),
        ];
        for (const name of Object.keys(b.headers ?? {}).filter((n) => authHeaders.includes(n.toLowerCase())))
          ctx.addIssue({ code: "custom", path: ["headers", name], message: "remove it: `authSecret`/`oauth2` set this header" });
        if (b.multipart !== undefined && b.mode === "records")
          ctx.addIssue({
            code: "custom",
            path: ["multipart"],
            message: 'remove it, or use `mode: "payload"` (records go as JSON batches)',
          });
      }),
    sftp: z
      .strictObject({
        type: z.literal("sftp"),
        host: host(),
        /** @default 22 */
        port: port().optional(),
        username: text(),
        /** Pinned host key(s): `SHA256:<base64>` as `ssh-keygen -lf` prints it, or a list (any match accepts: key rotation). */
        hostKeySha256: z.union([hostKeyPin(), z.array(hostKeyPin()).min(1, "list at least one host key").max(16, "list at most 16")], {
          error:
            "pin the server's host key as `SHA256:<base64>` (or a list of them), as `ssh-keyscan -p PORT HOST | ssh-keygen -lf -` prints it",
        }),
        passwordSecret: secretRef(site).optional(),
        privateKeySecret: secretRef(site).optional(),
        /** Passphrase of an encrypted `privateKeySecret`. @default the key is not encrypted */
        privateKeyPassphraseSecret: secretRef(site).optional(),
        /** Remote directory. */
        directory: remoteDirectory(),
        /** Create `directory` (and parents) when missing. @default false */
        createDirectory: flag().optional(),
        /** SSH algorithm lists for legacy servers, in preference order. @default ssh2's defaults */
        algorithms: sshAlgorithms().optional(),
        /** Writes in flight per upload, for servers that accept out-of-order writes; 1 is one streamed put. @default 1 */
        concurrency: numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= 64, "use an integer from 1 to 64").optional(),
        /** Connect through a SOCKS5 or HTTP CONNECT proxy. @default direct */
        proxy: proxySchema().optional(),
        /** The proxy's password, by reference. */
        proxyPasswordSecret: secretRef(site).optional(),
        format,
        ...file,
        ...arrival,
      })
      .superRefine(checkFileDelivery)
      .superRefine((b, ctx) => {
        if (b.privateKeyPassphraseSecret !== undefined && b.privateKeySecret === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["privateKeyPassphraseSecret"],
            message: "remove it, or set `privateKeySecret` (the key it opens)",
          });
        proxyAuthOf(b, ctx);
        if (b.passwordSecret === undefined && b.privateKeySecret === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["privateKeySecret"],
            message: "set `passwordSecret` or `privateKeySecret` (a secret reference)",
          });
        }
      }),
    ftp: z
      .strictObject({
        type: z.literal("ftp"),
        host: host(),
        /** @default 21 */
        port: port().optional(),
        username: text(),
        passwordSecret: secretRef(site),
        directory: remoteDirectory(),
        /** Explicit TLS (FTPS, AUTH TLS), `"implicit"` TLS (legacy, port 990), or `false`. @default true */
        secure: z
          .union([z.boolean(), z.literal("implicit")], { error: 'use true (explicit TLS), "implicit" (TLS from the first byte) or false' })
          .optional(),
        /** Create the remote directory when missing. @default false */
        createDirectory: flag().optional(),
        /** PEM certificate(s) to trust for FTPS (a private CA or a self-signed certificate). @default the Node.js CA store */
        tlsCaSecret: secretRef(site).optional(),
        /** Client certificate (PEM) for servers that require one, with `clientKeySecret`; requires `secure`. @default none */
        clientCertSecret: secretRef(site).optional(),
        /** The client certificate's private key (PEM). */
        clientKeySecret: secretRef(site).optional(),
        /** Connect (control and data connections) through a SOCKS5 or HTTP CONNECT proxy. @default direct */
        proxy: proxySchema().optional(),
        /** The proxy's password, by reference. */
        proxyPasswordSecret: secretRef(site).optional(),
        /**
         * How data connections open. `"passive"`: the worker connects to the port the server names
         * (`EPSV`/`PASV`). `"active"`: the server connects back to the worker (`EPRT`/`PORT`), so the
         * server must reach the worker's own address: not through NAT, i.e. an awsvpc task with an
         * address the server can route to (and a security group open to it), or a host-network daemon.
         * A `proxy` cannot carry active-mode connections: the two are refused together. @default "passive"
         */
        dataConnection: z.enum(["passive", "active"], { error: 'use "passive" or "active"' }).optional(),
        format,
        ...file,
        ...arrival,
      })
      .superRefine(checkFileDelivery)
      .superRefine((b, ctx) => {
        proxyAuthOf(b, ctx);
        if (b.dataConnection === "active" && b.proxy !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["dataConnection"],
            message: 'a `proxy` carries passive data connections only: remove `proxy`, or set `dataConnection: "passive"`',
          });
        }
        for (const field of ["tlsCaSecret", "clientCertSecret", "clientKeySecret"] as const) {
          if (b[field] !== undefined && b.secure === false) {
            ctx.addIssue({ code: "custom", path: [field], message: "remove it, or set `secure: true` (TLS settings are for FTPS)" });
          }
        }
        pairOf(b, ctx, "clientCertSecret", "clientKeySecret");
      }),
  };
}

/** Two fields that go together (a certificate and its key): one set alone is a problem on the other. */
function pairOf<K extends string>(b: Partial<Record<K, unknown>>, ctx: z.RefinementCtx, one: K, other: K): void {
  if ((b[one] === undefined) === (b[other] === undefined)) return;
  const missing = b[one] === undefined ? one : other;
  const given = b[one] === undefined ? other : one;
  ctx.addIssue({ code: "custom", path: [missing], message: `set it with \`${given}\` (a certificate and its key go together)` });
}

function proxyAuthOf(b: { proxy?: { username?: string }; proxyPasswordSecret?: string }, ctx: z.RefinementCtx): void {
  if (b.proxyPasswordSecret !== undefined && b.proxy?.username === undefined)
    ctx.addIssue({ code: "custom", path: ["proxy", "username"], message: "set the proxy login that `proxyPasswordSecret` belongs to" });
}

function unionOf<const T extends readonly [z.ZodObject, ...z.ZodObject[]]>(site: BindingSite, members: T) {
  const types = members.map((m) => `"${(m.shape.type as z.ZodLiteral<string>).value}"`).join(", ");
  const resolved = site === "container" ? ' ("worker" is resolved to "s3" by the program)' : "";
  return z.discriminatedUnion("type", members, {
    error: (issue) => (issue.code === "invalid_union" ? `use one of ${types}${resolved}` : "give an output binding object"),
  });
}

const stack = deliveryBindings("stack");
const container = deliveryBindings("container");

/** A binding as a stack file and `JobWorkerArgs` give it (`site` "stack"). */
export const outputBindingSchema = unionOf("stack", [workerBinding, stack.s3, stack.rest, stack.sftp, stack.ftp]);
/** A binding as the container reads it: chaining resolved to `s3` (`site` "container"). */
export const resolvedOutputBindingSchema = unionOf("container", [container.s3, container.rest, container.sftp, container.ftp]);

export type ProtobufFormat = Readonly<z.infer<typeof protobufFormatSchema>>;
export type WorkerOutputBinding = Readonly<z.infer<typeof workerBinding>>;
export type S3OutputBinding = Readonly<z.infer<typeof container.s3>>;
export type RestOutputBinding = Readonly<z.infer<typeof container.rest>>;
export type SftpOutputBinding = Readonly<z.infer<typeof container.sftp>>;
export type FtpOutputBinding = Readonly<z.infer<typeof container.ftp>>;
/** A binding as the container sees it: chaining already resolved to the next worker's bucket. */
export type ResolvedOutputBinding = S3OutputBinding | RestOutputBinding | SftpOutputBinding | FtpOutputBinding;
export type OutputBinding = WorkerOutputBinding | ResolvedOutputBinding;
export type OutputType = OutputBinding["type"];

/** Every binding type of a site, in the schema's order. */
export function bindingTypes(site: BindingSite): OutputType[] {
  const schema = site === "stack" ? outputBindingSchema : resolvedOutputBindingSchema;
  return schema.options.map((o) => o.shape.type.value);
}

/** The fields of a binding type, `type` included, in the schema's order. */
export function bindingFieldsOf(type: OutputType): string[] {
  return Object.keys(memberOf(type).shape);
}

/** The secret-reference fields of a binding type: the fields whose schema carries `secret` metadata. */
export function secretFieldsOf(type: OutputType): string[] {
  return Object.entries(memberOf(type).shape as Record<string, z.ZodType>)
    .filter(([, field]) => bindingFieldMeta.get(field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field)?.secret === true)
    .map(([name]) => name);
}

/** The secret references a binding holds (the values of its secret fields): what the task role reads. */
export function secretRefsOf(binding: OutputBinding): SecretRef[] {
  const values = binding as unknown as Readonly<Record<string, unknown>>;
  return secretFieldsOf(binding.type).flatMap((field) => (typeof values[field] === "string" ? [values[field] as string] : []));
}

function memberOf(type: OutputType): z.ZodObject {
  const member = outputBindingSchema.options.find((o) => o.shape.type.value === type);
  if (!member) throw new Error(`no binding type \`${type}\``);
  return member;
}

// --- problems: zod issues as field, value and fix, for each side to word in its own terms

/** One thing wrong with a binding. */
export interface BindingProblem {
  /** The field, relative to the binding: `url`, `format.schema`; "" for the binding itself. */
  readonly field: string;
  /** The value found there (undefined when missing). */
  readonly value: unknown;
  /** What to do: a phrase that reads after "is <value>:". */
  readonly fix: string;
}

/** `is "nope": use an absolute https URL`: how every side words a problem after the field's name. */
export function problemText(p: Pick<BindingProblem, "value" | "fix">): string {
  return `is ${p.value === undefined ? "missing" : JSON.stringify(p.value)}: ${p.fix}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The problems of one zod issue whose path is relative to `binding` (an unknown field per key). */
export function problemsOf(issue: z.core.$ZodIssue, binding: unknown): BindingProblem[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const inFormat = path[path.length - 1] === "format";
    const type = (valueAt(binding, []) as { type?: unknown } | undefined)?.type;
    const known = inFormat
      ? Object.keys(protobufFormatSchema.shape)
      : bindingTypes("stack").includes(type as OutputType)
        ? bindingFieldsOf(type as OutputType)
        : [];
    const what = inFormat ? "a protobuf `format`" : `\`${String(type)}\` bindings`;
    return issue.keys.map((key) => ({
      field: [...path, key].join("."),
      value: valueAt(binding, [...issue.path, key]),
      fix: `not a field of ${what}; its fields: ${known.join(", ")} (docs/connectors.md)`,
    }));
  }
  return [{ field: path.join("."), value: valueAt(binding, issue.path), fix: issue.message }];
}

export type BindingParse<B> = { readonly binding: B; readonly problems?: undefined } | { readonly problems: readonly BindingProblem[] };

/** Parses a binding as a stack gives it: the binding, typed, or every problem. */
export function parseOutputBinding(value: unknown): BindingParse<OutputBinding> {
  const result = outputBindingSchema.safeParse(value);
  return result.success ? { binding: result.data } : { problems: result.error.issues.flatMap((i) => problemsOf(i, value)) };
}

/** Parses a binding as the container reads it: the binding, typed, or every problem. */
export function parseResolvedBinding(value: unknown): BindingParse<ResolvedOutputBinding> {
  const result = resolvedOutputBindingSchema.safeParse(value);
  return result.success ? { binding: result.data } : { problems: result.error.issues.flatMap((i) => problemsOf(i, value)) };
}
