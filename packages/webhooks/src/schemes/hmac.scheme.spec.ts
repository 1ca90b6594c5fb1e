import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto.js';
import { WebhookErrorCode } from '../errors.js';
import { easypostScheme } from '../providers/easypost.webhook.js';
import { hubspotSignatureV3 } from '../providers/hubspot.webhook.js';
import type { WebhookRequest } from '../request.js';
import { createVerifier } from '../verifier.js';
import { githubScheme } from './github.scheme.js';
import { hmacScheme } from './hmac.scheme.js';

const now = new Date('2026-11-27T10:00:00Z');
const request = (
  headers: WebhookRequest['headers'],
  body: string,
  url = 'https://ingestion.example/webhooks/x',
) => ({
  method: 'POST',
  url,
  headers,
  body: Buffer.from(body),
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('GitHub scheme', () => {
  // GitHub's documented test vector (docs.github.com, "Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const body = 'Hello, World!';
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  const verifier = createVerifier(githubScheme(), [secret]);

  it('verifies the documented test vector and signs it identically', () => {
    expect(verifier.verify(request({ 'X-Hub-Signature-256': signature }, body), now)).toEqual({
      secretIndex: 0,
    });
    expect(githubScheme().sign({ body: Buffer.from(body) }, secret)).toEqual({
      'X-Hub-Signature-256': signature,
    });
  });

  it('refuses a changed body, a wrong prefix, bad hex and a missing header', () => {
    expect(
      codeOf(() => verifier.verify(request({ 'x-hub-signature-256': signature }, 'Hello, World?'), now)),
    ).toBe(WebhookErrorCode.signatureInvalid);
    expect(
      codeOf(() =>
        verifier.verify(request({ 'x-hub-signature-256': signature.replace('sha256=', 'sha1=') }, body), now),
      ),
    ).toBe(WebhookErrorCode.signatureMalformed);
    expect(
      codeOf(() =>
        verifier.verify(request({ 'x-hub-signature-256': `${signature.slice(0, -1)}g` }, body), now),
      ),
    ).toBe(WebhookErrorCode.signatureMalformed);
    // A truncated signature decodes to fewer bytes than a digest: refused without comparing.
    expect(
      codeOf(() => verifier.verify(request({ 'x-hub-signature-256': signature.slice(0, -2) }, body), now)),
    ).toBe(WebhookErrorCode.signatureInvalid);
    expect(codeOf(() => verifier.verify(request({}, body), now))).toBe(WebhookErrorCode.signatureMissing);
  });
});

describe('HubSpot signature v3', () => {
  const secret = 'hubspot-client-secret-0123456789';
  const url = 'https://ingestion.example/webhooks/hubspot';
  const body = '[{"eventId":1,"objectId":42}]';
  const verifier = createVerifier(hubspotSignatureV3, [secret]);
  const sign = (timestampMs: number, payload = body) =>
    createHmac('sha256', secret).update(`POST${url}${payload}${timestampMs}`).digest('base64');

  it('verifies base64 HMAC-SHA256 over method, URL, body and the millisecond timestamp', () => {
    const t = now.getTime() - 1234;
    const headers = { 'X-HubSpot-Signature-v3': sign(t), 'X-HubSpot-Request-Timestamp': String(t) };
    expect(verifier.verify(request(headers, body, url), now)).toEqual({
      secretIndex: 0,
      timestamp: new Date(t),
    });
    expect(
      hubspotSignatureV3.sign(
        { body: Buffer.from(body), url, method: 'POST', timestamp: new Date(t) },
        secret,
      ),
    ).toEqual(headers);
  });

  it('binds the URL and refuses timestamps beyond 300 s either way', () => {
    const t = now.getTime();
    const headers = { 'X-HubSpot-Signature-v3': sign(t), 'X-HubSpot-Request-Timestamp': String(t) };
    expect(codeOf(() => verifier.verify(request(headers, body, `${url}?x=1`), now))).toBe(
      WebhookErrorCode.signatureInvalid,
    );
    for (const offset of [-301_000, 301_000]) {
      const at = t + offset;
      const stale = { 'X-HubSpot-Signature-v3': sign(at), 'X-HubSpot-Request-Timestamp': String(at) };
      expect(codeOf(() => verifier.verify(request(stale, body, url), now))).toBe(
        WebhookErrorCode.signatureStale,
      );
    }
    expect(
      codeOf(() => verifier.verify(request({ 'X-HubSpot-Signature-v3': sign(t) }, body, url), now)),
    ).toBe(WebhookErrorCode.signatureMissing);
  });
});

describe('EasyPost scheme', () => {
  it('keys the HMAC with the NFKD-normalized secret and expects the hmac-sha256-hex= prefix', () => {
    // "ﬁ" (U+FB01) normalizes to "fi" under NFKD.
    const secret = 'ﬁle-secret-123';
    const body = '{"id":"evt_1","object":"Event"}';
    const hex = createHmac('sha256', Buffer.from('file-secret-123')).update(body).digest('hex');
    const verifier = createVerifier(easypostScheme, [secret]);
    expect(
      verifier.verify(request({ 'X-Hmac-Signature': `hmac-sha256-hex=${hex}` }, body), now).secretIndex,
    ).toBe(0);
    expect(codeOf(() => verifier.verify(request({ 'X-Hmac-Signature': hex }, body), now))).toBe(
      WebhookErrorCode.signatureMalformed,
    );
  });
});

describe('hmacScheme configuration', () => {
  it('refuses unknown placeholders and a timestamp header without {timestamp}', () => {
    expect(() => hmacScheme({ signatureHeader: 'x-sig', encoding: 'hex', signedContent: '{bdy}' })).toThrow(
      /placeholder/,
    );
    expect(() => hmacScheme({ signatureHeader: 'x-sig', encoding: 'hex', timestampHeader: 'x-ts' })).toThrow(
      /timestamp/,
    );
  });

  it('takes upper-case hex unless the scheme says lower case only (as GitHub and EasyPost do)', () => {
    const body = '{"id":"evt_1"}';
    const upper = createHmac('sha256', 'secret-abc').update(body).digest('hex').toUpperCase();
    const generic = createVerifier(hmacScheme({ signatureHeader: 'x-sig', encoding: 'hex' }), ['secret-abc']);
    expect(() => generic.verify(request({ 'x-sig': upper }, body), now)).not.toThrow();
    const lower = createVerifier(
      hmacScheme({ signatureHeader: 'x-sig', encoding: 'hex', hexCase: 'lower' }),
      ['secret-abc'],
    );
    expect(codeOf(() => lower.verify(request({ 'x-sig': upper }, body), now))).toBe(
      WebhookErrorCode.signatureMalformed,
    );
    expect(() => lower.verify(request({ 'x-sig': upper.toLowerCase() }, body), now)).not.toThrow();
  });

  it('signs extra headers and literal text in template order', () => {
    const scheme = hmacScheme({
      signatureHeader: 'x-sig',
      encoding: 'base64',
      algorithm: 'sha512',
      signedContent: 'v0:{header:x-account}:{body}',
    });
    const expected = createHmac('sha512', 'secret-abc').update('v0:acct_1:{}').digest('base64');
    const verifier = createVerifier(scheme, ['secret-abc']);
    expect(
      verifier.verify(request({ 'x-sig': expected, 'x-account': 'acct_1' }, '{}'), now).secretIndex,
    ).toBe(0);
    expect(codeOf(() => verifier.verify(request({ 'x-sig': expected }, '{}'), now))).toBe(
      WebhookErrorCode.signatureMissing,
    );
  });
});

describe('constantTimeEqual', () => {
  it('is false for different lengths without throwing', () => {
    expect(constantTimeEqual(Buffer.from('ab'), Buffer.from('abc'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
  });
});
