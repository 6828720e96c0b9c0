export { createSecretResolver, SECRET_TTL_MS, type SecretResolver, type SecretResolverDeps } from "./resolver";
export { parseSecretRef, type ParsedSecretRef, type SecretSource } from "./ref";
export { REDACTED, SecretRedactor } from "./redactor";
