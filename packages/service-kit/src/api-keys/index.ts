// The API-key store and authenticator over a service's Postgres schema. The token format and principal
// types are framework-free and also exported from the package root.
export { ApiKeyStore, ApiKeyErrorCode } from './api-key-store.js';
export type { ApiKeyRecord, ApiKeyStoreOptions, IssuedKey } from './api-key-store.js';
export { ApiKeyAuthenticator } from './api-key-authenticator.js';
export type { ApiKeyAuthenticatorOptions } from './api-key-authenticator.js';
export { CreateApiKeys1764460800001, apiKeyMigrations } from './api-keys.migration.js';
export {
  actorOf,
  bearerToken,
  hashToken,
  issueApiKey,
  keyIdOf,
  parseConfiguredApiKeys,
  tokenMatches,
} from './api-key.js';
export type { ApiPrincipal, ConfiguredApiKey, IssuedApiKey } from './api-key.js';
