import type { WebhookRequest } from '../request.js';

/** Five minutes, as Stripe and Standard Webhooks use: wide enough for clock skew, narrow enough against replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifiedSignature {
  /** Which active secret matched, 0 for the first configured one: shows how far a rotation has come. */
  readonly secretIndex: number;
  /** The signed timestamp, for schemes that sign one. */
  readonly timestamp?: Date;
}

/** What `sign` needs besides the secret: the parts of a request a scheme may cover. */
export interface SignInput {
  readonly body: Buffer;
  readonly method?: string;
  readonly url?: string;
  /** Default: now. */
  readonly timestamp?: Date;
  /** Standard Webhooks' `webhook-id`. */
  readonly id?: string;
}

/**
 * One way of proving that a request comes from a provider. Implementations compare in constant time, accept
 * any of several keys (rotation), and check the signed timestamp, when there is one, in both directions.
 */
export interface SignatureScheme {
  /** e.g. `standard-webhooks`, `stripe`, `hmac-sha256` (logs and docs). */
  readonly name: string;
  /** Headers the scheme reads, lower case (CORS-free, but documented in OpenAPI and READMEs). */
  readonly headers: readonly string[];
  /**
   * The HMAC key bytes of a configured secret. Throws WEBHOOK_SECRET_INVALID for a secret the scheme cannot
   * use, so that a bad secret stops the boot instead of refusing every webhook later.
   */
  keyOf(secret: string): Buffer;
  /** Resolves quietly or throws a WebhookError with one of the signature codes. */
  verify(request: WebhookRequest, keys: readonly Buffer[], now: Date): VerifiedSignature;
  /** The headers a provider would send for `input`: for tests, the provider simulator and outbound webhooks. */
  sign(input: SignInput, secret: string): Record<string, string>;
}

/**
 * Whole seconds between a signed Unix time and now, in either direction, now rounded down as Stripe's and
 * Standard Webhooks' libraries do (so a delivery exactly at the tolerance gets the same verdict).
 */
export function unixSkewSeconds(unixSeconds: number, now: Date): number {
  return Math.abs(Math.floor(now.getTime() / 1000) - unixSeconds);
}

/** Seconds between `timestamp` and `now`, in either direction. */
export function skewSeconds(timestamp: Date, now: Date): number {
  return Math.abs(now.getTime() - timestamp.getTime()) / 1000;
}
