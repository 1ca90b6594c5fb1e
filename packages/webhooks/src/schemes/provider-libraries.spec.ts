import { createHmac, randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { WebhookRequest } from '../request.js';
import { createVerifier } from '../verifier.js';
import { githubScheme } from './github.scheme.js';
import { standardWebhooksScheme } from './standard-webhooks.scheme.js';
import { stripeScheme } from './stripe.scheme.js';

// Each header form goes through the provider's own library and through our scheme; the verdicts must be the
// same, except the rows marked `ours` (deliberate differences, listed in packages/webhooks/README.md).
// `now` has a fraction of a second so that the tolerance edges test the libraries' rounding.
const now = new Date('2026-11-27T10:00:00.900Z');
const unix = Math.floor(now.getTime() / 1000);
const payload = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"amount":4200}}';
const body = Buffer.from(payload);
const hmacOf = (key: Buffer | string, text: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', key).update(text).digest(encoding);

const request = (headers: WebhookRequest['headers']): WebhookRequest => ({
  method: 'POST',
  url: 'https://ingestion.example/webhooks/x',
  headers,
  body,
});

const ourVerdict = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch {
    return 'refused';
  }
};

type Row = readonly [
  form: string,
  header: string,
  library: 'accepted' | 'refused',
  ours?: 'accepted' | 'refused',
];

describe("Stripe-Signature: stripe's library and ours", () => {
  const secret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';
  const sig = (t: number | string) => hmacOf(secret, `${t}.${payload}`, 'hex');
  const wrong = hmacOf('whsec_someone_else_entirely', `${unix}.${payload}`, 'hex');
  const verifier = createVerifier(stripeScheme(), [secret]);

  const rows: Row[] = [
    ['as Stripe sends it', `t=${unix},v1=${sig(unix)}`, 'accepted'],
    [
      "the library's own test header",
      Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: unix }),
      'accepted',
    ],
    ['upper-case hex', `t=${unix},v1=${sig(unix).toUpperCase()}`, 'refused'],
    ['spaces after the commas', `t=${unix}, v1=${sig(unix)}`, 'refused'],
    ['a space after the t item', `t=${unix} ,v1=${sig(unix)}`, 'accepted'],
    ['spaces around =', `t = ${unix},v1 = ${sig(unix)}`, 'refused'],
    ['several v1, the second one right', `t=${unix},v1=${wrong},v1=${sig(unix)}`, 'accepted'],
    ['several v1, none right', `t=${unix},v1=${wrong},v1=${wrong}`, 'refused'],
    ['the signatures before t', `v1=${sig(unix)},t=${unix}`, 'accepted'],
    ['no t', `v1=${sig(unix)}`, 'refused'],
    ['a t that is not a number', `t=soon,v1=${sig('soon')}`, 'refused'],
    ['digits then junk in t (parseInt reads the digits)', `t=${unix}x,v1=${sig(unix)}`, 'accepted'],
    ['a leading zero in t', `t=0${unix},v1=${sig(unix)}`, 'accepted'],
    ['v0 beside v1', `t=${unix},v0=${wrong},v1=${sig(unix)}`, 'accepted'],
    ['only v0', `t=${unix},v0=${sig(unix)}`, 'refused'],
    ['an empty header', '', 'refused'],
    ['a v1 without value', `t=${unix},v1`, 'refused'],
    ['text after a second = in v1', `t=${unix},v1=${sig(unix)}=x`, 'accepted'],
    ['t duplicated, the last one signed', `t=${unix - 9},t=${unix},v1=${sig(unix)}`, 'accepted'],
    ['t duplicated, the first one signed', `t=${unix},t=${unix - 9},v1=${sig(unix)}`, 'refused'],
    ['t 300 s old', `t=${unix - 300},v1=${sig(unix - 300)}`, 'accepted'],
    ['t 301 s old', `t=${unix - 301},v1=${sig(unix - 301)}`, 'refused'],
    ['t 300 s ahead', `t=${unix + 300},v1=${sig(unix + 300)}`, 'accepted'],
    [
      't 301 s ahead (we refuse the future too)',
      `t=${unix + 301},v1=${sig(unix + 301)}`,
      'accepted',
      'refused',
    ],
  ];

  it.each(rows)('%s', (...row) => {
    const [, header, library, ours = library] = row as unknown as Row;
    const theirs = ourVerdict(() =>
      Stripe.webhooks.signature!.verifyHeader(payload, header, secret, 300, undefined, now.getTime()),
    );
    expect(theirs).toBe(library);
    expect(ourVerdict(() => verifier.verify(request({ 'stripe-signature': header }), now))).toBe(ours);
  });
});

describe('Standard Webhooks: the standardwebhooks library and ours', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = 'msg_2Lsuz0sYmKqkHhNzgd0c8Gmcl9M';
  const sig = (t: number | string) => hmacOf(key, `${id}.${t}.${payload}`, 'base64');
  const wrong = hmacOf(randomBytes(24), `${id}.${unix}.${payload}`, 'base64');
  const verifier = createVerifier(standardWebhooksScheme(), [secret]);
  // The same bytes as sig(unix), in an encoding that is not canonical: the last character's unused bits set.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const canonical = sig(unix);
  const last = alphabet.indexOf(canonical[42]!);
  const nonCanonical = `${canonical.slice(0, 42)}${alphabet[last ^ 1]}=`;

  const rows: (readonly [
    string,
    { id?: string; timestamp: string; signature: string },
    'accepted' | 'refused',
  ])[] = [
    ['as sent', { timestamp: `${unix}`, signature: `v1,${sig(unix)}` }, 'accepted'],
    [
      'signed by the library',
      { timestamp: `${unix}`, signature: new Webhook(secret).sign(id, now, payload) },
      'accepted',
    ],
    [
      'several signatures, the second right',
      { timestamp: `${unix}`, signature: `v1,${wrong} v1,${sig(unix)}` },
      'accepted',
    ],
    [
      'two spaces between signatures',
      { timestamp: `${unix}`, signature: `v1,${wrong}  v1,${sig(unix)}` },
      'accepted',
    ],
    ['another version only', { timestamp: `${unix}`, signature: `v1a,${sig(unix)}` }, 'refused'],
    ['a space after the comma', { timestamp: `${unix}`, signature: `v1, ${sig(unix)}` }, 'refused'],
    ['text after a second comma', { timestamp: `${unix}`, signature: `v1,${sig(unix)},x` }, 'accepted'],
    [
      'the right bytes in non-canonical base64',
      { timestamp: `${unix}`, signature: `v1,${nonCanonical}` },
      'refused',
    ],
    ['no webhook-id', { id: '', timestamp: `${unix}`, signature: `v1,${sig(unix)}` }, 'refused'],
    ['a timestamp that is not a number', { timestamp: 'soon', signature: `v1,${sig('soon')}` }, 'refused'],
    [
      'digits then junk in the timestamp',
      { timestamp: `${unix}x`, signature: `v1,${sig(unix)}` },
      'accepted',
    ],
    ['a leading zero in the timestamp', { timestamp: `0${unix}`, signature: `v1,${sig(unix)}` }, 'accepted'],
    ['300 s old', { timestamp: `${unix - 300}`, signature: `v1,${sig(unix - 300)}` }, 'accepted'],
    ['301 s old', { timestamp: `${unix - 301}`, signature: `v1,${sig(unix - 301)}` }, 'refused'],
    ['300 s ahead', { timestamp: `${unix + 300}`, signature: `v1,${sig(unix + 300)}` }, 'accepted'],
    ['301 s ahead', { timestamp: `${unix + 301}`, signature: `v1,${sig(unix + 301)}` }, 'refused'],
    ['an empty signature', { timestamp: `${unix}`, signature: '' }, 'refused'],
  ];

  beforeAll(() => jest.useFakeTimers({ now }));
  afterAll(() => jest.useRealTimers());

  it.each(rows)('%s', (_form, { id: idHeader = id, timestamp, signature }, verdict) => {
    const headers = {
      'webhook-id': idHeader,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
    };
    expect(Date.now()).toBe(now.getTime());
    expect(ourVerdict(() => new Webhook(secret).verify(payload, headers))).toBe(verdict);
    expect(ourVerdict(() => verifier.verify(request(headers), now))).toBe(verdict);
  });
});

describe('X-Hub-Signature-256: @octokit/webhooks-methods and ours', () => {
  const secret = 'It is a secret to everybody';
  const hex = hmacOf(secret, payload, 'hex');
  const verifier = createVerifier(githubScheme(), [secret]);

  const rows: Row[] = [
    ['as GitHub sends it', `sha256=${hex}`, 'accepted'],
    ['upper-case hex', `sha256=${hex.toUpperCase()}`, 'refused'],
    ['an upper-case prefix', `SHA256=${hex}`, 'refused'],
    ['a space after =', `sha256= ${hex}`, 'refused'],
    ['a truncated digest', `sha256=${hex.slice(2)}`, 'refused'],
    ['a longer digest', `sha256=${hex}00`, 'refused'],
    ['no prefix', hex, 'refused'],
    ['the sha1 prefix', `sha1=${hex}`, 'refused'],
  ];

  it.each(rows)('%s', async (...row) => {
    const [, header, library] = row as unknown as Row;
    expect(await octokitVerify(secret, payload, header)).toBe(library === 'accepted');
    expect(ourVerdict(() => verifier.verify(request({ 'x-hub-signature-256': header }), now))).toBe(library);
  });

  it('an empty header: the library throws, we refuse', async () => {
    await expect(octokitVerify(secret, payload, '')).rejects.toThrow(TypeError);
    expect(ourVerdict(() => verifier.verify(request({ 'x-hub-signature-256': '' }), now))).toBe('refused');
  });
});
