import { ProblemError } from '@tributary/service-kit';
import { ProblemCode } from '../http/problem.js';
import { isApiKeyScope, keyIdOf, tokenMatches } from './api-key.js';
import type { ApiPrincipal } from './api-key.js';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';

/**
 * Turns a bearer token into a principal or a 401. Rows are cached for `cacheTtlMs` so a busy client costs
 * no query per request; a revocation therefore takes effect within that time (default 5 s). Expiry is
 * checked on every request against the cached row.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; fetchedAt: number }>();

  constructor(
    private readonly repository: Pick<ApiKeysRepository, 'find'>,
    private readonly cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | undefined): Promise<ApiPrincipal> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token)
      throw new ProblemError(ProblemCode.apiKeyMissing, 'Send an API key as Authorization: Bearer <key>.');
    const keyId = keyIdOf(token);
    const record = keyId === undefined ? undefined : await this.lookup(keyId);
    // One answer for unknown ids and wrong secrets: which key ids exist is not the caller's business.
    if (!record || !tokenMatches(token, record.tokenHash)) {
      throw new ProblemError(ProblemCode.apiKeyInvalid, 'The API key is not valid.');
    }
    if (record.revokedAt) throw new ProblemError(ProblemCode.apiKeyRevoked, 'The API key was revoked.');
    if (record.expiresAt && record.expiresAt.getTime() <= this.now()) {
      throw new ProblemError(ProblemCode.apiKeyExpired, 'The API key has expired; use its successor.');
    }
    return { keyId: record.keyId, name: record.name, scopes: record.scopes.filter(isApiKeyScope) };
  }

  private async lookup(keyId: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.cache.get(keyId);
    if (cached && this.now() - cached.fetchedAt < this.cacheTtlMs) return cached.record;
    const record = await this.repository.find(keyId);
    // Misses are cached too: guessing ids must not turn into one query per request.
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(keyId, { record, fetchedAt: this.now() });
    return record;
  }
}
