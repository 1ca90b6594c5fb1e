import { TributaryError } from '@tributary/contracts';

/**
 * Stable codes of webhook failures. Ingestion turns them into problem documents (401 for the signature
 * codes, 400/422 for payloads, 404 for providers), metrics label them, and connectors reuse them.
 */
export const WebhookErrorCode = {
  /** A header the scheme needs is absent. */
  signatureMissing: 'WEBHOOK_SIGNATURE_MISSING',
  /** A signature or timestamp header is present but unreadable. */
  signatureMalformed: 'WEBHOOK_SIGNATURE_MALFORMED',
  /** Well-formed, but no signature matches any active secret: forged, tampered or signed with a retired secret. */
  signatureInvalid: 'WEBHOOK_SIGNATURE_INVALID',
  /** Authentic, but its timestamp is outside the tolerance (a replay, or a clock far off). */
  signatureStale: 'WEBHOOK_SIGNATURE_STALE',
  /** The provider is known but has no secret configured: refused, never accepted unverified. */
  providerNotConfigured: 'WEBHOOK_PROVIDER_NOT_CONFIGURED',
  /** No definition for this provider name. */
  providerUnknown: 'WEBHOOK_PROVIDER_UNKNOWN',
  /** A configured secret cannot be used by the scheme (e.g. a Standard Webhooks secret that is not base64). */
  secretInvalid: 'WEBHOOK_SECRET_INVALID',
  /** The verified body is not JSON. */
  payloadMalformed: 'WEBHOOK_PAYLOAD_MALFORMED',
  /** JSON, but not the provider's envelope: no event id or type to dedupe and route on. */
  payloadInvalid: 'WEBHOOK_PAYLOAD_INVALID',
} as const;

export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/** The signature codes: each means "not provably from the provider" and answers 401 with nothing stored. */
export const signatureErrorCodes: ReadonlySet<string> = new Set([
  WebhookErrorCode.signatureMissing,
  WebhookErrorCode.signatureMalformed,
  WebhookErrorCode.signatureInvalid,
  WebhookErrorCode.signatureStale,
]);

/** Never retriable: the same request fails the same way. Messages never quote the body or a secret. */
export class WebhookError extends TributaryError {
  declare readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, ...options });
  }
}

export function isWebhookError(error: unknown): error is WebhookError {
  return error instanceof WebhookError;
}
