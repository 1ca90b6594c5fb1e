import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Token format: `trb_<key id>_<secret>`. The key id (16 hex characters) is public: it finds the row and
 * shows in logs and audit entries. The secret is 32 random bytes (base64url), so the token needs no slow
 * password hash: only sha256 of the whole token is stored, and a leaked table reveals no usable key.
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

/** The key id of a well-formed token; undefined for anything else. */
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

/** `Authorization: Bearer <token>`; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/** The authenticated caller of a request. */
export interface ApiPrincipal<TScope extends string = string> {
  readonly keyId: string;
  /** The client's name, shared by a key and its rotated successor (it scopes idempotency keys). */
  readonly name: string;
  readonly scopes: readonly TScope[];
  /** `stored`: issued by the CLI into the service's table; `configured`: listed in API_KEYS. */
  readonly source: 'stored' | 'configured';
}

/** How audit entries name a caller. */
export function actorOf(principal: ApiPrincipal): string {
  return principal.source === 'configured'
    ? `api-key:${principal.keyId}`
    : `api-key:${principal.name}/${principal.keyId}`;
}

/** A key an operator lists in configuration: only the hash of its token is known to the process. */
export interface ConfiguredApiKey {
  readonly id: string;
  readonly sha256: string;
  readonly scopes: readonly string[];
}

/**
 * `<id>:<sha256 hex>:<scope>+<scope>` entries, separated by commas or newlines (so an `API_KEYS_FILE` can
 * list one a line). For the first operator and for automation whose secrets live in a secret manager;
 * rotated by listing the old and the new key together for the overlap. Unknown scopes are refused, so a
 * typo fails the boot instead of a call.
 */
export function parseConfiguredApiKeys(
  text: string,
  scopes: readonly string[],
): { keys: ConfiguredApiKey[]; problems: string[] } {
  const keys: ConfiguredApiKey[] = [];
  const problems: string[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const match = /^([a-zA-Z0-9._-]{1,64}):([0-9a-f]{64}):(.+)$/.exec(entry);
    const granted = match ? [...new Set(match[3]!.split('+'))] : [];
    const unknown = granted.filter((scope) => !scopes.includes(scope));
    if (!match || unknown.length > 0) {
      problems.push(
        `API_KEYS: entry #${index + 1} is not <id>:<sha256 hex>:<scope>[+<scope>...] with scopes ${scopes.join(', ')}`,
      );
      return;
    }
    keys.push({ id: match[1]!, sha256: match[2]!, scopes: granted });
  });
  return { keys, problems };
}
