import { constantTimeEqual, hmac } from '../crypto.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import type { WebhookRequest } from '../request.js';
import { DEFAULT_TOLERANCE_SECONDS, unixSkewSeconds } from './scheme.js';
import type { SignatureScheme, SignInput, VerifiedSignature } from './scheme.js';

export interface StripeSchemeOptions {
  readonly toleranceSeconds?: number;
}

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 over `${t}.${body}`. The
 * key is the whole `whsec_...` string as UTF-8 (unlike Standard Webhooks, nothing is base64-decoded). While a
 * secret is being rolled Stripe sends one v1 per secret; any match verifies. `v0` (test mode's legacy
 * scheme) is ignored. The header is read exactly as the `stripe` library reads it (a spec compares them):
 * items split on `,` and `=` with nothing trimmed, the last `t` wins and is read with parseInt, a `v1` is
 * compared as lower-case hex text. Deliberate differences (packages/webhooks/README.md): a `t` that is not
 * a number is malformed, and a timestamp more than the tolerance in the future is stale.
 */
export function stripeScheme(options: StripeSchemeOptions = {}): SignatureScheme {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  return {
    name: 'stripe',
    headers: ['stripe-signature'],
    keyOf,
    sign: (input: SignInput, secret: string) => {
      const t = String(Math.floor((input.timestamp ?? new Date()).getTime() / 1000));
      const v1 = hmac('sha256', keyOf(secret), [`${t}.`, input.body]).toString('hex');
      return { 'stripe-signature': `t=${t},v1=${v1}` };
    },
    verify(request: WebhookRequest, keys: readonly Buffer[], now: Date): VerifiedSignature {
      const header = headerOf(request, 'stripe-signature');
      if (!header)
        throw new WebhookError(WebhookErrorCode.signatureMissing, 'Stripe-Signature header is required');
      const { t, v1 } = parseHeader(header);
      const content = [`${t}.`, request.body] as const;
      const secretIndex = keys.findIndex((key) => {
        const expected = Buffer.from(hmac('sha256', key, content).toString('hex'));
        return v1.some((signature) => constantTimeEqual(signature, expected));
      });
      if (secretIndex < 0) {
        throw new WebhookError(WebhookErrorCode.signatureInvalid, 'no v1 signature matches an active secret');
      }
      const timestamp = new Date(t * 1000);
      if (unixSkewSeconds(t, now) > tolerance) {
        throw new WebhookError(
          WebhookErrorCode.signatureStale,
          `Stripe-Signature t is more than ${tolerance} s from now`,
        );
      }
      return { secretIndex, timestamp };
    },
  };
}

function keyOf(secret: string): Buffer {
  if (secret.length < 16) {
    throw new WebhookError(
      WebhookErrorCode.secretInvalid,
      'a Stripe webhook secret has at least 16 characters',
    );
  }
  return Buffer.from(secret, 'utf8');
}

function parseHeader(header: string): { t: number; v1: Buffer[] } {
  let t: number | undefined;
  const v1: Buffer[] = [];
  for (const item of header.split(',')) {
    const [name, value] = item.split('=');
    if (name === 't') t = Number.parseInt(value ?? '', 10);
    // Anything but lower-case hex could never equal the digest's text: a v1 that no secret can match.
    if (name === 'v1' && value !== undefined && /^[0-9a-f]+$/.test(value)) v1.push(Buffer.from(value));
  }
  if (t === undefined || !Number.isSafeInteger(t) || v1.length === 0) {
    throw new WebhookError(
      WebhookErrorCode.signatureMalformed,
      'Stripe-Signature needs t=<unix seconds> and at least one v1=<hex>',
    );
  }
  return { t, v1 };
}
