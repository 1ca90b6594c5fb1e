import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { WebhookErrorCode } from '../errors.js';
import type { WebhookRequest } from '../request.js';
import { createVerifier } from '../verifier.js';
import { standardWebhooksScheme } from './standard-webhooks.scheme.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const otherSecret = `whsec_${randomBytes(24).toString('base64')}`;
const body = Buffer.from('{"type":"invoice.paid","data":{"id":"in_1"}}');
const now = new Date('2026-11-27T10:00:00Z');
const scheme = standardWebhooksScheme();

/** Headers as the reference library (standardwebhooks on npm) produces them. */
function signedByLibrary(at: Date, payload: Buffer = body, withSecret = secret): WebhookRequest['headers'] {
  const id = 'msg_2Lsuz0sYmKqkHhNzgd0c8Gmcl9M';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(withSecret).sign(id, at, payload.toString('utf8')),
  };
}

const request = (headers: WebhookRequest['headers'], payload: Buffer = body): WebhookRequest => ({
  method: 'POST',
  url: 'https://ingestion.example/webhooks/acme',
  headers,
  body: payload,
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('Standard Webhooks scheme', () => {
  const verifier = createVerifier(scheme, [secret]);

  it('accepts what the standardwebhooks library signs', () => {
    const verified = verifier.verify(request(signedByLibrary(now)), now);
    expect(verified).toEqual({
      secretIndex: 0,
      timestamp: new Date(Math.floor(now.getTime() / 1000) * 1000),
    });
  });

  it('signs what the standardwebhooks library accepts', () => {
    const headers = scheme.sign({ body, timestamp: new Date(), id: 'msg_1' }, secret);
    expect(() => new Webhook(secret).verify(body.toString(), headers)).not.toThrow();
  });

  it('refuses a tampered body and a wrong secret as invalid', () => {
    const tampered = Buffer.from(body.toString().replace('in_1', 'in_2'));
    expect(codeOf(() => verifier.verify(request(signedByLibrary(now), tampered), now))).toBe(
      WebhookErrorCode.signatureInvalid,
    );
    expect(codeOf(() => verifier.verify(request(signedByLibrary(now, body, otherSecret)), now))).toBe(
      WebhookErrorCode.signatureInvalid,
    );
  });

  it('allows 300 s of skew in both directions and refuses more as stale', () => {
    for (const offset of [-300, 300]) {
      const at = new Date(now.getTime() + offset * 1000);
      expect(codeOf(() => verifier.verify(request(signedByLibrary(at)), now))).toBe('accepted');
    }
    for (const offset of [-301, 301]) {
      const at = new Date(now.getTime() + offset * 1000);
      expect(codeOf(() => verifier.verify(request(signedByLibrary(at)), now))).toBe(
        WebhookErrorCode.signatureStale,
      );
    }
  });

  it('names missing and malformed headers', () => {
    const good = signedByLibrary(now);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...rest } = good;
      expect(codeOf(() => verifier.verify(request(rest), now))).toBe(WebhookErrorCode.signatureMissing);
    }
    expect(codeOf(() => verifier.verify(request({ ...good, 'webhook-timestamp': 'soon' }), now))).toBe(
      WebhookErrorCode.signatureMalformed,
    );
    expect(codeOf(() => verifier.verify(request({ ...good, 'webhook-signature': 'v1:abc' }), now))).toBe(
      WebhookErrorCode.signatureMalformed,
    );
    expect(
      codeOf(() => verifier.verify(request({ ...good, 'webhook-signature': 'v1,not*base64' }), now)),
    ).toBe(WebhookErrorCode.signatureMalformed);
  });

  it('skips signature versions other than v1', () => {
    const good = signedByLibrary(now);
    const v1a = (good['webhook-signature'] as string).replace('v1,', 'v1a,');
    expect(codeOf(() => verifier.verify(request({ ...good, 'webhook-signature': v1a }), now))).toBe(
      WebhookErrorCode.signatureInvalid,
    );
    const mixed = `v1a,${randomBytes(64).toString('base64')} ${good['webhook-signature'] as string}`;
    expect(codeOf(() => verifier.verify(request({ ...good, 'webhook-signature': mixed }), now))).toBe(
      'accepted',
    );
  });

  it('accepts any active secret during a rotation and reports which one matched', () => {
    const rotating = createVerifier(scheme, [otherSecret, secret]);
    expect(rotating.verify(request(signedByLibrary(now)), now).secretIndex).toBe(1);
    expect(rotating.verify(request(signedByLibrary(now, body, otherSecret)), now).secretIndex).toBe(0);
  });

  it('refuses secrets that are not whsec_ base64 at configuration time', () => {
    expect(codeOf(() => createVerifier(scheme, ['whsec_***']))).toBe(WebhookErrorCode.secretInvalid);
    expect(codeOf(() => createVerifier(scheme, ['whsec_c2hvcnQ=']))).toBe(WebhookErrorCode.secretInvalid);
    expect(codeOf(() => createVerifier(scheme, []))).toBe(WebhookErrorCode.providerNotConfigured);
  });
});
