export { createSecretResolver, type SecretResolver, type SecretResolverDeps } from "./resolver";
export { parseSecretRef, type ParsedSecretRef, type SecretSource } from "./ref";
export { REDACTED, SecretRedactor } from "./redactor";
