// Framework-free: nothing reachable from here loads Nest, TypeORM, kafkajs or pg (an architecture rule of
// `npm run lint`). The backbone is `./backbone`, the API-key store `./api-keys`, HTTP contracts and OpenAPI
// `./http`, the Nest modules and the bootstrap `./nest`.
export { ConfigError, ServiceKitErrorCode } from './config/config-error.js';
export {
  LOG_LEVELS,
  apiKeysEnv,
  backboneEnv,
  consumerEnv,
  kafkaName,
  positiveInt,
  serviceEnv,
  sqlIdentifier,
} from './config/env.js';
export { ENVIRONMENTS, credentialModeProblem, environmentEnv } from './config/environment.js';
export type { CredentialMode, Environment } from './config/environment.js';
export { loadConfig, resolveFiles } from './config/load-config.js';
export { tracingConfig, tracingEnv } from './config/tracing-env.js';
export type { Env, LoadConfigOptions } from './config/load-config.js';
export { backboneConfig, consumerConfig, processConfig, serviceConfig } from './config/service-config.js';
export type {
  BackboneConfig,
  ConsumerConfig,
  DatabaseConfig,
  KafkaConfig,
  LogLevel,
  ProcessConfig,
  ServiceConfig,
} from './config/service-config.js';

export {
  apiKeyProblems,
  codesWithStatus,
  commonProblems,
  defineProblems,
} from './problems/problem-catalogue.js';
export type { ProblemCatalogue, ProblemSpec } from './problems/problem-catalogue.js';
export { ProblemError } from './problems/problem-error.js';
export {
  PROBLEM_CONTENT_TYPE,
  problemDocument,
  problemSchema,
  problemType,
} from './problems/problem-document.js';
export type { ProblemDocument } from './problems/problem-document.js';

export { TokenBucket } from './rate-limit/token-bucket.js';
export type { TokenBucketOptions } from './rate-limit/token-bucket.js';
export { KeyedRateLimiter } from './rate-limit/keyed-rate-limiter.js';
export type { RateLimit, RateLimitDecision } from './rate-limit/keyed-rate-limiter.js';

export {
  actorOf,
  bearerToken,
  hashToken,
  issueApiKey,
  keyIdOf,
  parseConfiguredApiKeys,
  tokenMatches,
} from './api-keys/api-key.js';
export type { ApiPrincipal, ConfiguredApiKey, IssuedApiKey } from './api-keys/api-key.js';

export { SHUTDOWN_PHASES } from './lifecycle/shutdown-phases.js';
export type { ShutdownPhase, ShutdownStepRun, ShutdownStepSpec } from './lifecycle/shutdown-phases.js';
