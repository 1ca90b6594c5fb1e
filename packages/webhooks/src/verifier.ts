import { WebhookError, WebhookErrorCode } from './errors.js';
import type { WebhookRequest } from './request.js';
import type { SignatureScheme, VerifiedSignature } from './schemes/scheme.js';

/** A scheme bound to the secrets that are active right now. */
export interface WebhookVerifier {
  readonly scheme: SignatureScheme;
  /** Number of active secrets (never the secrets). */
  readonly secretCount: number;
  verify(request: WebhookRequest, now?: Date): VerifiedSignature;
}

/**
 * Binds secrets to a scheme, decoding each once. Several secrets are active together during a rotation:
 * add the new one, switch the provider over, remove the old one. No secret means no verifier: callers refuse
 * the provider (fail closed) rather than accept unverified requests.
 */
export function createVerifier(scheme: SignatureScheme, secrets: readonly string[]): WebhookVerifier {
  if (secrets.length === 0) {
    throw new WebhookError(
      WebhookErrorCode.providerNotConfigured,
      `no secret configured for the ${scheme.name} scheme`,
    );
  }
  const keys = secrets.map((secret) => scheme.keyOf(secret));
  return {
    scheme,
    secretCount: keys.length,
    verify: (request, now = new Date()) => scheme.verify(request, keys, now),
  };
}

/**
 * Splits a configured secret list: comma or newline separated (one per line in a `_FILE`), each trimmed,
 * blanks dropped. Spaces stay: GitHub and generic HMAC secrets may contain them.
 */
export function parseSecretList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\r\n]+/)
    .map((secret) => secret.trim())
    .filter(Boolean);
}
