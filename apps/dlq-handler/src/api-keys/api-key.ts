import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig, DlqScope } from '../dlq-handler.config.js';

/**
 * API keys of this app: a fixed list from config (id, sha256 of the token, scopes). Deliberately small and
 * separate from apps/ingestion's stored, rotating keys (apps never import each other); a shared key store
 * would belong in a package.
 */
export interface ApiPrincipal {
  readonly keyId: string;
  readonly scopes: readonly DlqScope[];
}

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The key whose hash matches the token; every key is compared, in constant time each. */
export function authenticate(token: string, keys: readonly ApiKeyConfig[]): ApiPrincipal | undefined {
  const presented = Buffer.from(sha256Hex(token), 'hex');
  let found: ApiKeyConfig | undefined;
  for (const key of keys) {
    const stored = Buffer.from(key.sha256, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = key;
  }
  return found ? { keyId: found.id, scopes: found.scopes } : undefined;
}

/** `Authorization: Bearer <token>`; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** How audit entries name a caller. */
export function actorOf(principal: ApiPrincipal): string {
  return `api-key:${principal.keyId}`;
}
