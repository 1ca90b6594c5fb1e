import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetryHeaders } from '@tributary/kafka';
import { ConnectorErrorCode } from './errors.js';
import { ProviderHttpClient } from './http/provider-http-client.js';
import { LateReplay, firstAttemptAt, keyMayHaveExpired, withEffectGuard } from './late-replay.js';
import type { KeyLifetimeIdempotency } from './late-replay.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-06T12:00:00Z');
const stripe: KeyLifetimeIdempotency = {
  keyLifetimeMs: DAY,
  lateReplay: { 'payments.payment.requested': 'lookup' },
};
const at = (ageMs: number) => NOW - ageMs;

describe('firstAttemptAt', () => {
  const time = new Date(at(2 * HOUR)).toISOString();

  it("is the event's time on its first read", () => {
    expect(firstAttemptAt({ time }, {})).toBe(at(2 * HOUR));
  });

  it('is where the record first failed when that is earlier (a dead letter replayed days later)', () => {
    const headers = { [RetryHeaders.originalTimestamp]: Buffer.from(String(at(7 * DAY))) };
    expect(firstAttemptAt({ time }, headers)).toBe(at(7 * DAY));
  });

  it("never later than the event's own time, and undefined when neither can be read", () => {
    const headers = { [RetryHeaders.originalTimestamp]: Buffer.from(String(at(HOUR))) };
    expect(firstAttemptAt({ time }, headers)).toBe(at(2 * HOUR));
    expect(firstAttemptAt({ time: 'yesterday' }, { [RetryHeaders.originalTimestamp]: 'x' })).toBeUndefined();
  });
});

describe('keyMayHaveExpired', () => {
  it('holds from the lifetime less the margin (1 h by default) on', () => {
    expect(keyMayHaveExpired(stripe, at(23 * HOUR - 1), NOW)).toBe(false);
    expect(keyMayHaveExpired(stripe, at(23 * HOUR), NOW)).toBe(true);
    expect(keyMayHaveExpired(stripe, at(7 * DAY), NOW)).toBe(true);
  });

  it('takes the margin of the definition', () => {
    const exact = { ...stripe, lookupMarginMs: 0 };
    expect(keyMayHaveExpired(exact, at(DAY - 1), NOW)).toBe(false);
    expect(keyMayHaveExpired(exact, at(DAY), NOW)).toBe(true);
  });

  it('counts an unknown age as old, and a provider idempotent by its own state as never', () => {
    expect(keyMayHaveExpired(stripe, undefined, NOW)).toBe(true);
    expect(keyMayHaveExpired({ idempotentBy: 'upsert by email' }, at(365 * DAY), NOW)).toBe(false);
    expect(keyMayHaveExpired({ ...stripe, keyLifetimeMs: 0 }, NOW, NOW)).toBe(true);
  });
});

describe('LateReplay: the lookup and the guard on effectful calls', () => {
  const event = { id: 'evt-1', type: 'payments.payment.requested' };
  let sent: string[];
  let client: ProviderHttpClient;
  let close: () => void;

  beforeEach(async () => {
    sent = [];
    const server = createServer((req, res) => {
      sent.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ProviderHttpClient({
      provider: 'late-replay-test',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      retry: { maxRetries: 0 },
    });
    close = () => {
      server.closeAllConnections();
      server.close();
    };
  });
  afterEach(async () => {
    await client.close();
    close();
  });

  const create = () =>
    client.request({ method: 'POST', path: '/v1/things', operation: 'things.create', idempotencyKey: 'k' });
  const find = () => client.request({ method: 'GET', path: '/v1/things?ref=r', operation: 'things.find' });

  it('refuses the effectful call of a late replay that did not look up first, before it is sent', async () => {
    const late = new LateReplay(event, 'lookup', true);
    const refused = await withEffectGuard(late.guard, create).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: ConnectorErrorCode.lookupMissing, retriable: false });
    expect(sent).toEqual([]);
  });

  it('looks up when the key may have expired, then lets the call go', async () => {
    const late = new LateReplay(event, 'lookup', true);
    await withEffectGuard(late.guard, async () => {
      expect(await late.lookupBeforeCall(async () => (await find()).body)).toEqual({});
      await create();
    });
    expect(sent).toEqual(['GET /v1/things?ref=r', 'POST /v1/things']);
  });

  it('does not look up while the key still protects the call', async () => {
    const fresh = new LateReplay(event, 'lookup', false);
    await withEffectGuard(fresh.guard, async () => {
      expect(await fresh.lookupBeforeCall(find)).toBeUndefined();
      await create();
    });
    expect(sent).toEqual(['POST /v1/things']);
  });

  it('lets a handler that declared why it needs no lookup call at any age', async () => {
    const optedOut = new LateReplay(event, { noLookupBecause: 'reads first anyway' }, true);
    await withEffectGuard(optedOut.guard, create);
    expect(sent).toEqual(['POST /v1/things']);
  });
});
