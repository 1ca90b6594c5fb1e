import { constantTimeEqual, decodeStrict, hmac } from '../crypto.js';
import type { HmacAlgorithm } from '../crypto.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import type { WebhookRequest } from '../request.js';
import { DEFAULT_TOLERANCE_SECONDS, skewSeconds } from './scheme.js';
import type { SignatureScheme, SignInput, VerifiedSignature } from './scheme.js';

export interface HmacSchemeOptions {
  /** Default `hmac-<algorithm>`. */
  readonly name?: string;
  /** Header carrying the signature, e.g. `X-Hub-Signature-256`. */
  readonly signatureHeader: string;
  /** Default sha256. */
  readonly algorithm?: HmacAlgorithm;
  readonly encoding: 'hex' | 'base64';
  /**
   * Hex digits a signature may use: `lower` where the provider's own library compares the header's text with
   * a lower-case digest (GitHub, EasyPost), so upper case is refused as theirs refuses it; `any` (default)
   * where nothing says so, as a generic sender may well print upper case.
   */
  readonly hexCase?: 'lower' | 'any';
  /** Text before the signature in the header value, e.g. `sha256=`; a value without it is malformed. */
  readonly prefix?: string;
  /**
   * What is signed, as a template: `{body}` (the raw bytes), `{method}`, `{url}`, `{timestamp}` (the raw
   * timestamp header value) and `{header:<name>}`. Default `{body}`.
   */
  readonly signedContent?: string;
  /** Header carrying the signed timestamp; required when the template uses `{timestamp}`. */
  readonly timestampHeader?: string;
  /** Unit of the timestamp header (default seconds). */
  readonly timestampUnit?: 'seconds' | 'milliseconds';
  readonly toleranceSeconds?: number;
  /**
   * How a configured secret becomes key bytes: `utf8` (default), `utf8-nfkd` (Unicode-normalized first, as
   * EasyPost does), `base64` or `hex`.
   */
  readonly secretEncoding?: 'utf8' | 'utf8-nfkd' | 'base64' | 'hex';
  /** Shortest acceptable secret in characters (default 8): a typo'd one-letter secret should stop the boot. */
  readonly minSecretLength?: number;
}

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'body' | 'method' | 'url' | 'timestamp' }
  | { readonly kind: 'header'; readonly name: string };

const placeholder = /\{(body|method|url|timestamp|header:[A-Za-z0-9-]+)\}/g;
const timestampPattern = /^\d{1,16}$/;

/**
 * A configurable HMAC scheme for providers without a standard one: which header, which algorithm and
 * encoding, what prefix, and which request parts are signed in which order. GitHub, HubSpot v3 and EasyPost
 * are instances of it (see their definitions).
 */
export function hmacScheme(options: HmacSchemeOptions): SignatureScheme {
  const algorithm = options.algorithm ?? 'sha256';
  const prefix = options.prefix ?? '';
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const timestampMs = options.timestampUnit === 'milliseconds' ? 1 : 1000;
  const parts = compileTemplate(options.signedContent ?? '{body}');
  const signsTimestamp = parts.some((part) => part.kind === 'timestamp');
  if (signsTimestamp !== (options.timestampHeader !== undefined)) {
    throw new TypeError('hmacScheme: {timestamp} in signedContent and timestampHeader go together');
  }
  const headerNames = parts.flatMap((part) => (part.kind === 'header' ? [part.name] : []));
  const keyOf = (secret: string) => secretKey(secret, options);

  const content = (
    request: Pick<WebhookRequest, 'body' | 'method' | 'url'>,
    header: (name: string) => string,
  ) =>
    parts.map((part): Buffer | string => {
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'body':
          return request.body;
        case 'method':
          return request.method.toUpperCase();
        case 'url':
          return request.url;
        case 'timestamp':
          return header(options.timestampHeader!);
        case 'header':
          return header(part.name);
      }
    });

  return {
    name: options.name ?? `hmac-${algorithm}`,
    headers: [
      options.signatureHeader,
      ...(options.timestampHeader ? [options.timestampHeader] : []),
      ...headerNames,
    ].map((name) => name.toLowerCase()),
    keyOf,
    sign(input: SignInput, secret: string) {
      const timestamp = String(Math.floor((input.timestamp ?? new Date()).getTime() / timestampMs));
      const headers: Record<string, string> = {};
      if (options.timestampHeader) headers[options.timestampHeader] = timestamp;
      const request = { body: input.body, method: input.method ?? 'POST', url: input.url ?? '' };
      const signed = content(request, (name) => headers[name] ?? '');
      headers[options.signatureHeader] =
        prefix + hmac(algorithm, keyOf(secret), signed).toString(options.encoding);
      return headers;
    },
    verify(request: WebhookRequest, keys: readonly Buffer[], now: Date): VerifiedSignature {
      const required = [
        options.signatureHeader,
        ...(options.timestampHeader ? [options.timestampHeader] : []),
        ...headerNames,
      ];
      const values = new Map<string, string>();
      for (const name of required) {
        const value = headerOf(request, name);
        if (value === undefined)
          throw new WebhookError(WebhookErrorCode.signatureMissing, `${name} header is required`);
        values.set(name, value);
      }
      const signatureText = values.get(options.signatureHeader)!;
      const encoded = signatureText.startsWith(prefix) ? signatureText.slice(prefix.length) : '';
      const signature =
        options.encoding === 'hex' && options.hexCase === 'lower' && /[A-F]/.test(encoded)
          ? undefined
          : decodeStrict(encoded, options.encoding);
      if (!signature) {
        throw new WebhookError(
          WebhookErrorCode.signatureMalformed,
          `${options.signatureHeader} is not ${prefix ? `${prefix}<${options.encoding}>` : options.encoding}`,
        );
      }
      let timestamp: Date | undefined;
      if (options.timestampHeader) {
        const text = values.get(options.timestampHeader)!;
        if (!timestampPattern.test(text)) {
          throw new WebhookError(
            WebhookErrorCode.signatureMalformed,
            `${options.timestampHeader} is not a Unix time`,
          );
        }
        timestamp = new Date(Number(text) * timestampMs);
      }
      const signed = content(request, (name) => values.get(name) ?? '');
      const secretIndex = keys.findIndex((key) => constantTimeEqual(signature, hmac(algorithm, key, signed)));
      if (secretIndex < 0) {
        throw new WebhookError(WebhookErrorCode.signatureInvalid, 'the signature matches no active secret');
      }
      if (timestamp && skewSeconds(timestamp, now) > tolerance) {
        throw new WebhookError(
          WebhookErrorCode.signatureStale,
          `${options.timestampHeader} is more than ${tolerance} s from now`,
        );
      }
      return timestamp ? { secretIndex, timestamp } : { secretIndex };
    },
  };
}

function compileTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(placeholder)) {
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    const name = match[1]!;
    parts.push(
      name.startsWith('header:')
        ? { kind: 'header', name: name.slice('header:'.length) }
        : { kind: name as 'body' | 'method' | 'url' | 'timestamp' },
    );
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  if (/[{}]/.test(parts.flatMap((part) => (part.kind === 'text' ? [part.text] : [])).join(''))) {
    throw new TypeError(`hmacScheme: unknown placeholder in signedContent ${JSON.stringify(template)}`);
  }
  return parts;
}

function secretKey(secret: string, options: HmacSchemeOptions): Buffer {
  const minimum = options.minSecretLength ?? 8;
  const encoding = options.secretEncoding ?? 'utf8';
  const key =
    encoding === 'utf8'
      ? Buffer.from(secret, 'utf8')
      : encoding === 'utf8-nfkd'
        ? Buffer.from(secret.normalize('NFKD'), 'utf8')
        : decodeStrict(secret, encoding);
  if (!key || secret.length < minimum) {
    throw new WebhookError(
      WebhookErrorCode.secretInvalid,
      `a ${options.signatureHeader} secret must be ${encoding} of at least ${minimum} characters`,
    );
  }
  return key;
}
