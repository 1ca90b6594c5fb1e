export { WebhookError, WebhookErrorCode, isWebhookError, signatureErrorCodes } from './errors.js';
export { headerOf } from './request.js';
export type { WebhookRequest } from './request.js';
export { constantTimeEqual, decodeStrict, hmac } from './crypto.js';
export type { HmacAlgorithm } from './crypto.js';

export { DEFAULT_TOLERANCE_SECONDS } from './schemes/scheme.js';
export type { SignatureScheme, SignInput, VerifiedSignature } from './schemes/scheme.js';
export { standardWebhooksScheme } from './schemes/standard-webhooks.scheme.js';
export type { StandardWebhooksOptions } from './schemes/standard-webhooks.scheme.js';
export { stripeScheme } from './schemes/stripe.scheme.js';
export type { StripeSchemeOptions } from './schemes/stripe.scheme.js';
export { hmacScheme } from './schemes/hmac.scheme.js';
export type { HmacSchemeOptions } from './schemes/hmac.scheme.js';
export { githubScheme } from './schemes/github.scheme.js';
export { createVerifier, parseSecretList } from './verifier.js';
export type { WebhookVerifier } from './verifier.js';

export {
  defineMapping,
  defineWebhook,
  describeIssues,
  mapProviderEvent,
  producedEventTypes,
} from './definition.js';
export type {
  EventMapping,
  ExternalRefResolver,
  MappingContext,
  MappingOutcome,
  MappingResult,
  MappingStatus,
  ProviderEvent,
  WebhookDefinition,
} from './definition.js';

export {
  EASYPOST_REFS,
  EASYPOST_TRACKER_STATUSES,
  HUBSPOT_CONTACT_REF,
  STRIPE_METADATA,
  easypostScheme,
  easypostWebhook,
  githubWebhook,
  hubspotSignatureV3,
  hubspotWebhook,
  stripeFailureCode,
  stripeWebhook,
  webhookDefinitions,
} from './providers/index.js';

export { buildWebhookDefinitions, configuredWebhook } from './sources/configured-webhook.js';
export { parseWebhookSources, webhookSourceConfig } from './sources/source-config.js';
export type { WebhookSourceConfig } from './sources/source-config.js';
export { resolvePointer } from './sources/json-pointer.js';
