/** Header lookup that does not care how the HTTP library shaped the headers. */
export type HeaderBag = Record<string, string | string[] | undefined>;

export function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` as milliseconds from `now`: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable, so the caller falls back to its own default.
 */
export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Providers name their rate-limit headers differently: IETF draft `RateLimit-Remaining`, GitHub/Stripe-
 * style `X-RateLimit-Remaining`, HubSpot `X-HubSpot-RateLimit-Remaining`. First one present wins.
 */
export const DEFAULT_REMAINING_HEADERS = [
  'ratelimit-remaining',
  'x-ratelimit-remaining',
  'x-hubspot-ratelimit-remaining',
] as const;

export function rateLimitRemaining(
  headers: HeaderBag,
  names: readonly string[] = DEFAULT_REMAINING_HEADERS,
): number | undefined {
  for (const name of names) {
    const value = header(headers, name);
    if (value !== undefined && /^\s*\d+\s*$/.test(value)) return Number(value);
  }
  return undefined;
}

/**
 * The window's whole quota, named like the remaining count: IETF draft `RateLimit-Limit`, `X-RateLimit-Limit`,
 * HubSpot `X-HubSpot-RateLimit-Max`. First one present wins. With the remaining count it gives the share of
 * the quota used (tributary_provider_rate_limit_limit), so a provider's names for both belong in the same
 * order here as in DEFAULT_REMAINING_HEADERS.
 */
export const DEFAULT_LIMIT_HEADERS = [
  'ratelimit-limit',
  'x-ratelimit-limit',
  'x-hubspot-ratelimit-max',
] as const;

/**
 * The first integer of the header: the IETF draft lets `RateLimit-Limit` list the policies after the current
 * limit (`100, 100;w=60, 1000;w=3600`), or give the current one with its window (`100;w=60`); the plain
 * headers carry the integer alone. Undefined when no named header starts with an integer.
 */
export function rateLimitLimit(
  headers: HeaderBag,
  names: readonly string[] = DEFAULT_LIMIT_HEADERS,
): number | undefined {
  for (const name of names) {
    const match = /^\s*(\d+)\s*(?:[,;]|$)/.exec(header(headers, name) ?? '');
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The reset headers read with a remaining count of 0: IETF draft `RateLimit-Reset`, `X-RateLimit-Reset`. */
export const DEFAULT_RESET_HEADERS = ['ratelimit-reset', 'x-ratelimit-reset'] as const;

/**
 * When the provider's window resets, as milliseconds from `now`. The IETF draft sends delta-seconds; GitHub
 * and others send a Unix time in seconds in `X-RateLimit-Reset`, told apart by size (no window lasts 30 years).
 */
export function rateLimitResetMs(
  headers: HeaderBag,
  now: number = Date.now(),
  names: readonly string[] = DEFAULT_RESET_HEADERS,
): number | undefined {
  for (const name of names) {
    const value = header(headers, name)?.trim();
    if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) continue;
    const seconds = Number(value);
    return seconds > 1e9 ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
  }
  return undefined;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
