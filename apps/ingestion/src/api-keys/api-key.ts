import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a key may do. Checked per route; a key holds only the scopes it was created with. */
export const API_KEY_SCOPES = ['events:publish', 'events:read', 'events:replay'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/**
 * Token format: `trb_<key id>_<secret>`. The key id (16 hex characters) is public: it finds the row and
 * shows in logs and audit entries. The secret is 32 random bytes (base64url), so the token needs no slow
 * password hash: the database stores sha256 of the whole token and a leaked table reveals no usable key.
 */
const tokenPattern = /^trb_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedApiKey {
  readonly keyId: string;
  /** Shown once, at creation; only its hash is stored. */
  readonly token: string;
  readonly tokenHash: string;
}

export function issueApiKey(random: (size: number) => Buffer = randomBytes): IssuedApiKey {
  const keyId = random(8).toString('hex');
  const token = `trb_${keyId}_${random(32).toString('base64url')}`;
  return { keyId, token, tokenHash: hashToken(token) };
}

/** The key id of a well-formed token; undefined for anything else (which is refused without a lookup). */
export function keyIdOf(token: string): string | undefined {
  return tokenPattern.exec(token)?.[1];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented token with a stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The authenticated caller of a request. */
export interface ApiPrincipal {
  readonly keyId: string;
  /** The client's name, shared by a key and its rotated successor: it scopes idempotency keys. */
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
}

/** How audit entries name a caller. */
export function actorOf(principal: ApiPrincipal): string {
  return `api-key:${principal.name}/${principal.keyId}`;
}
