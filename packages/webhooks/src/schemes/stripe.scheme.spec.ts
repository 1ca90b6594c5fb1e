import Stripe from 'stripe';
import { WebhookErrorCode } from '../errors.js';
import type { WebhookRequest } from '../request.js';
import { createVerifier } from '../verifier.js';
import { stripeScheme } from './stripe.scheme.js';

const secret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';
const nextSecret = 'whsec_test_9fK21LmQpZrTyUwXvBnM3c4d';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' }, null, 2);
const body = Buffer.from(payload);
const now = new Date('2026-11-27T10:00:00Z');
const unix = (date: Date) => Math.floor(date.getTime() / 1000);
const scheme = stripeScheme();

/** The header Stripe's own library generates for tests (stripe.webhooks.generateTestHeaderString). */
const stripeHeader = (at: Date, withSecret = secret, data = payload) =>
  Stripe.webhooks.generateTestHeaderString({ payload: data, secret: withSecret, timestamp: unix(at) });

const request = (header: string | undefined, data: Buffer = body): WebhookRequest => ({
  method: 'POST',
  url: 'https://ingestion.example/webhooks/stripe',
  headers: header === undefined ? {} : { 'Stripe-Signature': header },
  body: data,
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('Stripe scheme', () => {
  const verifier = createVerifier(scheme, [secret]);

  it("accepts the header Stripe's library generates", () => {
    expect(verifier.verify(request(stripeHeader(now)), now)).toEqual({
      secretIndex: 0,
      timestamp: new Date(unix(now) * 1000),
    });
  });

  it("signs what Stripe's library accepts", () => {
    const headers = scheme.sign({ body, timestamp: new Date() }, secret);
    const event = Stripe.webhooks.constructEvent(body, headers['stripe-signature']!, secret);
    expect(event.id).toBe('evt_1');
  });

  it('refuses a tampered body and a wrong secret', () => {
    const header = stripeHeader(now);
    expect(
      codeOf(() => verifier.verify(request(header, Buffer.from(payload.replace('evt_1', 'evt_2'))), now)),
    ).toBe(WebhookErrorCode.signatureInvalid);
    expect(codeOf(() => verifier.verify(request(stripeHeader(now, nextSecret)), now))).toBe(
      WebhookErrorCode.signatureInvalid,
    );
  });

  it('allows 300 s of skew in both directions and refuses more as stale', () => {
    for (const offset of [-300, 300]) {
      expect(
        codeOf(() => verifier.verify(request(stripeHeader(new Date(now.getTime() + offset * 1000))), now)),
      ).toBe('accepted');
    }
    for (const offset of [-301, 301]) {
      expect(
        codeOf(() => verifier.verify(request(stripeHeader(new Date(now.getTime() + offset * 1000))), now)),
      ).toBe(WebhookErrorCode.signatureStale);
    }
  });

  it('tells a missing header from a malformed one', () => {
    expect(codeOf(() => verifier.verify(request(undefined), now))).toBe(WebhookErrorCode.signatureMissing);
    const header = stripeHeader(now);
    for (const malformed of [
      header.replace(/t=\d+,/, ''),
      header.replace(/v1=[0-9a-f]+/, 'v1=xyz'),
      header.replace(/t=\d+/, 't=soon'),
      'garbage',
    ]) {
      expect(codeOf(() => verifier.verify(request(malformed), now))).toBe(
        WebhookErrorCode.signatureMalformed,
      );
    }
  });

  it('accepts either secret while Stripe rolls one (one v1 per secret) and either secret configured', () => {
    const t = unix(now);
    const both = `t=${t},v1=${stripeHeader(now, secret).split('v1=')[1]},v1=${stripeHeader(now, nextSecret).split('v1=')[1]}`;
    expect(verifier.verify(request(both), now).secretIndex).toBe(0);
    const rotating = createVerifier(scheme, [nextSecret, secret]);
    expect(rotating.verify(request(stripeHeader(now, secret)), now).secretIndex).toBe(1);
    expect(rotating.verify(request(stripeHeader(now, nextSecret)), now).secretIndex).toBe(0);
  });
});
