import { timingSafeEqual } from 'node:crypto';
import { ProblemError } from '../problems/problem-error.js';
import { bearerToken, hashToken, keyIdOf, tokenMatches } from './api-key.js';
import type { ApiPrincipal, ConfiguredApiKey } from './api-key.js';
import type { ApiKeyRecord } from './api-key-store.js';

export interface ApiKeyAuthenticatorOptions {
  /** Finds a stored key by id; absent when the service keeps no table (configured keys only). */
  readonly find?: (keyId: string) => Promise<ApiKeyRecord | undefined>;
  readonly configured?: readonly ConfiguredApiKey[];
  /** The scopes the service knows; stored rows holding others keep only these. */
  readonly scopes: readonly string[];
  /** How long a stored row is trusted without a query; a revocation takes effect within it. */
  readonly cacheTtlMs: number;
  readonly now?: () => number;
}

/**
 * Turns an Authorization header into a principal or a 401 problem. Stored rows are cached for
 * `cacheTtlMs` so a busy client costs no query per request; expiry is checked on every request against the
 * cached row. One answer for unknown ids and wrong secrets: which key ids exist is not the caller's
 * business.
 */
export class ApiKeyAuthenticator {
  readonly #cache = new Map<string, { record: ApiKeyRecord | undefined; fetchedAt: number }>();
  readonly #now: () => number;

  constructor(private readonly options: ApiKeyAuthenticatorOptions) {
    this.#now = options.now ?? Date.now;
  }

  async authenticate(authorization: string | undefined): Promise<ApiPrincipal> {
    const token = bearerToken(authorization);
    if (token === undefined) {
      throw new ProblemError('API_KEY_MISSING', 'Send an API key as Authorization: Bearer <key>.', {
        'www-authenticate': 'Bearer',
      });
    }
    const configured = this.configured(token);
    if (configured) return configured;
    const keyId = keyIdOf(token);
    const record = keyId === undefined || !this.options.find ? undefined : await this.lookup(keyId);
    if (!record || !tokenMatches(token, record.tokenHash)) {
      throw new ProblemError('API_KEY_INVALID', 'The API key is not valid.');
    }
    if (record.revokedAt) throw new ProblemError('API_KEY_REVOKED', 'The API key was revoked.');
    if (record.expiresAt && record.expiresAt.getTime() <= this.#now()) {
      throw new ProblemError('API_KEY_EXPIRED', 'The API key has expired; use its successor.');
    }
    return {
      keyId: record.keyId,
      name: record.name,
      scopes: record.scopes.filter((scope) => this.options.scopes.includes(scope)),
      source: 'stored',
    };
  }

  /** Every configured key is compared, each in constant time, so timing tells nothing about the list. */
  private configured(token: string): ApiPrincipal | undefined {
    const keys = this.options.configured ?? [];
    if (keys.length === 0) return undefined;
    const presented = Buffer.from(hashToken(token), 'hex');
    let found: ConfiguredApiKey | undefined;
    for (const key of keys) {
      const stored = Buffer.from(key.sha256, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = key;
    }
    return found && { keyId: found.id, name: found.id, scopes: found.scopes, source: 'configured' };
  }

  private async lookup(keyId: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.#cache.get(keyId);
    if (cached && this.#now() - cached.fetchedAt < this.options.cacheTtlMs) return cached.record;
    const record = await this.options.find!(keyId);
    // Misses are cached too: guessing ids must not turn into one query per request.
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(keyId, { record, fetchedAt: this.#now() });
    return record;
  }
}
