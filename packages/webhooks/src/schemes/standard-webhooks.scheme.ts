import { randomUUID } from 'node:crypto';
import { constantTimeEqual, decodeStrict, hmac } from '../crypto.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import type { WebhookRequest } from '../request.js';
import { DEFAULT_TOLERANCE_SECONDS, unixSkewSeconds } from './scheme.js';
import type { SignatureScheme, SignInput, VerifiedSignature } from './scheme.js';

const SECRET_PREFIX = 'whsec_';

export interface StandardWebhooksOptions {
  readonly toleranceSeconds?: number;
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`.
 * The secret is `whsec_` + base64 and the HMAC key is the decoded bytes. Other signature versions in the list
 * (e.g. the asymmetric `v1a`) are skipped, as the specification asks.
 */
export function standardWebhooksScheme(options: StandardWebhooksOptions = {}): SignatureScheme {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  return {
    name: 'standard-webhooks',
    headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    keyOf,
    sign: (input: SignInput, secret: string) => {
      const id = input.id ?? `msg_${randomUUID()}`;
      const timestamp = String(Math.floor((input.timestamp ?? new Date()).getTime() / 1000));
      const signature = hmac('sha256', keyOf(secret), [`${id}.${timestamp}.`, input.body]).toString('base64');
      return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
    },
    verify(request: WebhookRequest, keys: readonly Buffer[], now: Date): VerifiedSignature {
      const id = headerOf(request, 'webhook-id');
      const timestampText = headerOf(request, 'webhook-timestamp');
      const signatureHeader = headerOf(request, 'webhook-signature');
      if (!id || !timestampText || !signatureHeader) {
        throw new WebhookError(
          WebhookErrorCode.signatureMissing,
          'webhook-id, webhook-timestamp and webhook-signature headers are required',
        );
      }
      // As the standardwebhooks library: parseInt, and the number (not the header's text) is signed.
      const unixSeconds = Number.parseInt(timestampText, 10);
      if (!Number.isSafeInteger(unixSeconds)) {
        throw new WebhookError(WebhookErrorCode.signatureMalformed, 'webhook-timestamp is not Unix seconds');
      }
      const signatures = parseSignatureList(signatureHeader);
      const content = [`${id}.${unixSeconds}.`, request.body] as const;
      const secretIndex = keys.findIndex((key) => {
        const expected = Buffer.from(hmac('sha256', key, content).toString('base64'));
        return signatures.some((signature) => constantTimeEqual(signature, expected));
      });
      if (secretIndex < 0) {
        throw new WebhookError(WebhookErrorCode.signatureInvalid, 'no v1 signature matches an active secret');
      }
      const timestamp = new Date(unixSeconds * 1000);
      if (unixSkewSeconds(unixSeconds, now) > tolerance) {
        throw new WebhookError(
          WebhookErrorCode.signatureStale,
          `webhook-timestamp is more than ${tolerance} s from now`,
        );
      }
      return { secretIndex, timestamp };
    },
  };
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = decodeStrict(encoded, 'base64');
  if (!key || key.length < 16) {
    throw new WebhookError(
      WebhookErrorCode.secretInvalid,
      'a Standard Webhooks secret is whsec_ followed by base64 of at least 16 bytes',
    );
  }
  return key;
}

/**
 * The v1 signatures of the header as text, split as the standardwebhooks library splits them (on single
 * spaces, then on commas, nothing trimmed) and compared as base64 text, so a non-canonical encoding of the
 * right bytes does not verify. Throws MALFORMED when no entry has the `<version>,<base64>` form.
 */
function parseSignatureList(header: string): Buffer[] {
  const v1: Buffer[] = [];
  let wellFormed = 0;
  for (const entry of header.split(' ')) {
    const [version, signature] = entry.split(',');
    if (!version || !signature || !decodeStrict(signature, 'base64')) continue;
    wellFormed++;
    if (version === 'v1') v1.push(Buffer.from(signature));
  }
  if (wellFormed === 0) {
    throw new WebhookError(
      WebhookErrorCode.signatureMalformed,
      'webhook-signature has no <version>,<base64> entry',
    );
  }
  return v1;
}
