import { constantTimeEqual, decodeStrict, hmac } from '../crypto.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import type { WebhookRequest } from '../request.js';
import { DEFAULT_TOLERANCE_SECONDS, skewSeconds } from './scheme.js';
import type { SignatureScheme, SignInput, VerifiedSignature } from './scheme.js';

export interface StripeSchemeOptions {
  readonly toleranceSeconds?: number;
}

const timestampPattern = /^\d{1,15}$/;

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 over `${t}.${body}`. The
 * key is the whole `whsec_...` string as UTF-8 (unlike Standard Webhooks, nothing is base64-decoded). While a
 * secret is being rolled Stripe sends one v1 per secret; any match verifies. `v0` (test mode's legacy
 * scheme) is ignored.
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
        const expected = hmac('sha256', key, content);
        return v1.some((signature) => constantTimeEqual(signature, expected));
      });
      if (secretIndex < 0) {
        throw new WebhookError(WebhookErrorCode.signatureInvalid, 'no v1 signature matches an active secret');
      }
      const timestamp = new Date(Number(t) * 1000);
      if (skewSeconds(timestamp, now) > tolerance) {
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

function parseHeader(header: string): { t: string; v1: Buffer[] } {
  let t: string | undefined;
  const v1: Buffer[] = [];
  for (const item of header.split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    const name = item.slice(0, equals).trim();
    const value = item.slice(equals + 1).trim();
    if (name === 't' && timestampPattern.test(value)) t = value;
    if (name === 'v1') {
      const signature = decodeStrict(value, 'hex');
      if (signature) v1.push(signature);
    }
  }
  if (t === undefined || v1.length === 0) {
    throw new WebhookError(
      WebhookErrorCode.signatureMalformed,
      'Stripe-Signature needs t=<unix seconds> and at least one v1=<hex>',
    );
  }
  return { t, v1 };
}
