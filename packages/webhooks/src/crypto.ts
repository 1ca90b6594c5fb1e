import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

// createHmac with a Buffer key costs ~30 µs on Node 24 (its key-type checks), with a KeyObject ~6 µs: at
// thousands of webhooks per second that is a few percent of a core. Verifiers decode their keys once, so
// the same Buffer comes back on every request and its KeyObject is reused.
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(key: Buffer): KeyObject | Buffer {
  // A KeyObject cannot be empty; an empty key is refused at configuration anyway.
  if (key.length === 0) return key;
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** HMAC over parts concatenated as bytes: the body is never decoded to a string and re-encoded. */
export function hmac(algorithm: HmacAlgorithm, key: Buffer, parts: readonly (Buffer | string)[]): Buffer {
  const mac = createHmac(algorithm, keyObjectOf(key));
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Constant-time equality of two byte strings. Lengths are compared first (a digest's length is public), so
 * `timingSafeEqual` only ever sees equal-length buffers and never throws.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const hexPattern = /^(?:[0-9a-fA-F]{2})+$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64UrlPattern = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Strict decoding: Node's Buffer.from silently drops bad characters, which would let a malformed signature
 * look like a shorter valid one. Returns undefined for anything that is not exactly the encoding.
 */
export function decodeStrict(text: string, encoding: 'hex' | 'base64' | 'base64url'): Buffer | undefined {
  const pattern = encoding === 'hex' ? hexPattern : encoding === 'base64' ? base64Pattern : base64UrlPattern;
  if (text.length === 0 || !pattern.test(text)) return undefined;
  return Buffer.from(text, encoding);
}
