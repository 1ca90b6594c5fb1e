import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreePorts } from '@tributary/testkit';
import { writeDevSession } from '../session/dev-session.js';
import type { DevSessionLookup } from '../session/dev-session.js';
import { causeOf, dlqCommand, dlqTarget, showDeadLetter, table } from './dlq.js';
import type { DeadLetterDetail } from './dlq.js';

// No dev session file: these tests do not depend on whether `npm run dev` runs in this checkout.
const noSession = '/nonexistent/tributary-dev-session.json';

describe('dlq command', () => {
  const row = {
    id: '0190a0b0-0000-7000-8000-000000000001',
    consumerGroup: 'connector-stripe',
    originalTopic: 'payments.payment.v1',
    originalPartition: 2,
    originalOffset: '41',
    errorCode: 'PROVIDER_REJECTED',
    status: 'pending',
    attempts: 3,
    lastFailedAt: '2026-11-27T06:00:00.000Z',
  };

  it('prints a readable table', () => {
    const lines = table([row]);
    expect(lines[0]).toMatch(/^ID\s+GROUP\s+ORIGIN\s+CODE\s+STATUS\s+ATTEMPTS\s+LAST FAILED$/);
    expect(lines[1]).toContain('payments.payment.v1[2]@41');
    expect(lines[2]).toBe('1 dead letter(s)');
  });

  it('replays by filter over the API with the reason and the key, and reports problems by code', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const out: string[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (String(url).includes('discard')) {
        return new Response(JSON.stringify({ code: 'API_KEY_SCOPE_MISSING', detail: 'needs dlq:discard' }), {
          status: 403,
        });
      }
      return new Response(JSON.stringify({ accepted: 2, ids: [], skipped: [], auditId: '7' }), {
        status: 202,
      });
    }) as typeof fetch;
    const io = {
      env: { DLQ_URL: 'http://dlq:3300/', DLQ_API_KEY: 'tok' },
      out: (l: string) => out.push(l),
      fetch: fakeFetch,
      sessionFile: noSession,
    };
    expect(
      await dlqCommand(['replay', '--group', 'connector-stripe', '--code', 'X', '--reason', 'fixed'], io),
    ).toBe(0);
    expect(calls[0]!.url).toBe('http://dlq:3300/v1/dead-letters/replay');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      filter: { group: 'connector-stripe', errorCode: 'X' },
      reason: 'fixed',
    });
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(out[0]).toMatch(/^2 dead letter\(s\) accepted for replay/);
    await expect(dlqCommand(['discard', row.id, '--reason', 'junk'], io)).rejects.toThrow(
      `POST http://dlq:3300/v1/dead-letters/discard failed: 403 API_KEY_SCOPE_MISSING: needs dlq:discard (DLQ_URL and DLQ_API_KEY from the environment)`,
    );
    await expect(dlqCommand(['replay', '--group', 'g'], io)).rejects.toThrow(/--reason/);
  });

  it('replays stalled dead letters by id and says why it skipped the others', async () => {
    const stalled = '0190a0b0-0000-7000-8000-000000000002';
    const calls: { url: string; body: unknown }[] = [];
    const out: string[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url: String(url), body: JSON.parse(String(init.body)) });
      return new Response(
        JSON.stringify({
          accepted: 1,
          ids: [stalled],
          skipped: [
            {
              id: row.id,
              status: 'discarded',
              code: 'DEAD_LETTER_STATE_CONFLICT',
              reason: 'it is discarded: only pending, replaying, replay_stalled dead letters can be replayed',
            },
          ],
          auditId: '9',
        }),
        { status: 202 },
      );
    }) as typeof fetch;
    const io = {
      env: { DLQ_URL: 'http://dlq:3300', DLQ_API_KEY: 'tok' },
      out: (l: string) => out.push(l),
      fetch: fakeFetch,
    };
    expect(await dlqCommand(['replay', stalled, row.id, '--reason', 'tier is back'], io)).toBe(0);
    expect(calls).toEqual([
      {
        url: 'http://dlq:3300/v1/dead-letters/replay',
        body: { ids: [stalled, row.id], reason: 'tier is back' },
      },
    ]);
    expect(out.slice(1)).toEqual([
      `  skipped ${row.id}: discarded (it is discarded: only pending, replaying, replay_stalled dead letters can be replayed)`,
    ]);
  });

  it('shows bulk replay progress until nothing is queued', async () => {
    const queued = [3, 1, 0];
    const out: string[] = [];
    const fakeFetch = (async (url: string) => {
      if (String(url).includes('/counts?')) {
        expect(String(url)).toContain('replayQueued=true');
        return new Response(JSON.stringify({ total: queued.shift() }), { status: 200 });
      }
      return new Response(JSON.stringify({ accepted: 4, ids: [], skipped: [], auditId: '8' }), {
        status: 202,
      });
    }) as typeof fetch;
    const io = {
      env: { DLQ_API_KEY: 'tok' },
      out: (l: string) => out.push(l),
      fetch: fakeFetch,
      sleep: async () => {},
      sessionFile: noSession,
    };
    expect(await dlqCommand(['replay', '--group', 'g', '--reason', 'fixed', '--wait'], io)).toBe(0);
    expect(out.slice(1)).toEqual(['  sent 1/4', '  sent 3/4', '  sent 4/4']);
  });

  it('names the URL, the cause and where the URL came from when the DLQ cannot be reached', async () => {
    // A port nobody listens on: the real connection error, not a made-up one.
    const [port] = await pickFreePorts(1);
    const out: string[] = [];
    const io = {
      env: { DLQ_URL: `http://127.0.0.1:${port}`, DLQ_API_KEY: 'tok' },
      out: () => {},
      sessionFile: noSession,
    };
    await expect(dlqCommand(['ls'], io)).rejects.toThrow(
      `GET http://127.0.0.1:${port}/v1/dead-letters?limit=50 failed: connect ECONNREFUSED 127.0.0.1:${port} (DLQ_URL and DLQ_API_KEY from the environment)`,
    );
    // Unset everywhere: the default URL, and the message says nothing told the CLI otherwise.
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:3300') });
    }) as typeof fetch;
    await expect(
      dlqCommand(['show', row.id], {
        env: { DLQ_API_KEY: 'tok' },
        out: (l) => out.push(l),
        fetch: refused,
        sessionFile: noSession,
      }),
    ).rejects.toThrow(
      `GET http://127.0.0.1:3300/v1/dead-letters/${row.id} failed: connect ECONNREFUSED 127.0.0.1:3300 (DLQ_URL unset, no dev session file; DLQ_API_KEY from the environment)`,
    );
    await expect(dlqCommand(['ls'], { env: {}, out: () => {}, sessionFile: noSession })).rejects.toThrow(
      'DLQ_API_KEY is not set (DLQ_URL unset, no dev session file; DLQ_API_KEY unset)',
    );
  });

  it('reads URL and key from the dev session file when the environment has neither, and says so when that fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlq-session-'));
    try {
      const sessionFile = join(dir, 'session.json');
      writeDevSession(sessionFile, {
        version: 1,
        pid: process.pid,
        startedAt: '2026-11-27T06:00:00.000Z',
        env: { DLQ_URL: 'http://127.0.0.1:3102', DLQ_API_KEY: 'session-tok' },
        ingestionDatabaseSchema: 'ingestion',
      });
      const calls: { url: string; init: RequestInit }[] = [];
      const out: string[] = [];
      const answering = (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ items: [row], nextCursor: null }), { status: 200 });
      }) as typeof fetch;
      expect(
        await dlqCommand(['ls'], { env: {}, out: (l) => out.push(l), fetch: answering, sessionFile }),
      ).toBe(0);
      expect(calls[0]!.url).toBe('http://127.0.0.1:3102/v1/dead-letters?limit=50');
      expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer session-tok');
      expect(out.at(-1)).toBe('1 dead letter(s)');

      const refused = (async () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:3102') });
      }) as typeof fetch;
      await expect(
        dlqCommand(['ls'], { env: {}, out: () => {}, fetch: refused, sessionFile }),
      ).rejects.toThrow(
        new RegExp(
          `^GET http://127\\.0\\.0\\.1:3102/v1/dead-letters\\?limit=50 failed: connect ECONNREFUSED 127\\.0\\.0\\.1:3102 \\(DLQ_URL and DLQ_API_KEY from the dev session file .*session\\.json, runner pid ${process.pid} started 2026-11-27T06:00:00\\.000Z\\)$`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the environment win, and never sends the session key to a URL from elsewhere', () => {
    const live: DevSessionLookup = {
      state: 'live',
      path: '/repo/.tributary/dev/session.json',
      session: {
        version: 1,
        pid: 42,
        startedAt: '2026-11-27T06:00:00.000Z',
        env: { DLQ_URL: 'http://127.0.0.1:3102/', DLQ_API_KEY: 'session-tok' },
        ingestionDatabaseSchema: 'ingestion',
      },
    };
    expect(dlqTarget({}, live)).toMatchObject({ base: 'http://127.0.0.1:3102', token: 'session-tok' });
    expect(dlqTarget({ DLQ_API_KEY: 'mine' }, live)).toMatchObject({
      base: 'http://127.0.0.1:3102',
      token: 'mine',
    });
    const elsewhere = dlqTarget({ DLQ_URL: 'http://dlq.example:3300' }, live);
    expect(elsewhere).toMatchObject({ base: 'http://dlq.example:3300', token: undefined });
    expect(elsewhere.origin).toBe(
      "DLQ_URL from the environment; DLQ_API_KEY unset (the dev session's key goes only to the session's DLQ_URL)",
    );
    const stale: DevSessionLookup = { ...live, state: 'stale' };
    expect(dlqTarget({ DLQ_API_KEY: 'mine' }, stale)).toEqual({
      base: 'http://127.0.0.1:3300',
      token: 'mine',
      keyVariable: 'DLQ_API_KEY',
      origin:
        'DLQ_URL unset, dev session file /repo/.tributary/dev/session.json is stale: its runner (pid 42) is not running; DLQ_API_KEY from the environment',
    });
  });

  it('digs the reason out of fetch errors, several addresses included', () => {
    expect(causeOf(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND dlq') }))).toBe(
      'getaddrinfo ENOTFOUND dlq',
    );
    const both = new AggregateError([
      new Error('connect ECONNREFUSED ::1:3300'),
      new Error('connect ECONNREFUSED 127.0.0.1:3300'),
    ]);
    expect(causeOf(new TypeError('fetch failed', { cause: both }))).toBe(
      'connect ECONNREFUSED ::1:3300; connect ECONNREFUSED 127.0.0.1:3300',
    );
  });

  it('shows one dead letter as a summary, and the record as the API gives it with --json', async () => {
    const detail: DeadLetterDetail = {
      ...row,
      eventId: '0190a0b0-0000-7000-8000-0000000000aa',
      eventType: 'payments.payment.requested',
      errorClass: 'ProviderRejectedError',
      errorMessage: 'card_declined: Your card was declined.',
      errorStack:
        'ProviderRejectedError: card_declined\n    at charge (payments.ts:10:5)\n    at run (runner.ts:4:2)',
      deadLetteredCount: 1,
      replayCount: 0,
      firstFailedAt: '2026-11-27T05:59:58.000Z',
      originalTimestamp: '2026-11-27T05:59:57.500Z',
      statusReason: null,
      dlq: { topic: 'connector-stripe.dlq', partition: 0, offset: '7' },
      key: { base64: Buffer.from('pay-1').toString('base64'), text: 'pay-1' },
      value: {
        base64: Buffer.from([0, 0, 0, 0, 12, 1, 2, 3]).toString('base64'),
        format: 'avro',
        schemaId: 12,
        decoded: { paymentId: 'pay-1', amount: { currency: 'EUR', minor: 2500 } },
        decodeError: null,
      },
      headers: [
        { name: 'ce_type', value: 'payments.payment.requested', encoding: 'utf8' },
        { name: 'trace', value: 'AAEC', encoding: 'base64' },
      ],
      replayRequestedAt: null,
      replayRequestedBy: null,
      replayedAt: null,
      resolvedAt: null,
      discardedAt: null,
      discardedBy: null,
    };
    expect(showDeadLetter(detail)).toEqual([
      `dead letter ${row.id}`,
      'status     pending',
      'error      PROVIDER_REJECTED (ProviderRejectedError): card_declined: Your card was declined.',
      '  at charge (payments.ts:10:5)',
      '  at run (runner.ts:4:2)',
      'origin     payments.payment.v1[2]@41 at 2026-11-27 05:59:57Z',
      'group      connector-stripe',
      'event      payments.payment.requested 0190a0b0-0000-7000-8000-0000000000aa',
      'attempts   3',
      'failed     first 2026-11-27 05:59:58Z, last 2026-11-27 06:00:00Z',
      'dlq        connector-stripe.dlq[0]@7',
      'headers',
      '  ce_type  payments.payment.requested',
      '  trace    AAEC (base64)',
      'key        pay-1',
      'value      avro, schema 12, 8 bytes',
      '  {',
      '    "paymentId": "pay-1",',
      '    "amount": {',
      '      "currency": "EUR",',
      '      "minor": 2500',
      '    }',
      '  }',
    ]);
    const undecodable = showDeadLetter({
      ...detail,
      status: 'replaying',
      statusReason: 'fixed the card',
      replayRequestedAt: '2026-11-27T07:00:00.000Z',
      replayRequestedBy: 'api-key:ops',
      value: { ...detail.value!, format: 'none', schemaId: null, decoded: null, decodeError: 'not Avro' },
    });
    expect(undecodable).toContain('status     replaying (fixed the card)');
    expect(undecodable).toContain('replay     requested 2026-11-27 07:00:00Z by api-key:ops');
    expect(undecodable).toContain('value      none, 8 bytes; not decoded: not Avro (raw bytes in --json)');

    const out: string[] = [];
    const io = {
      env: { DLQ_URL: 'http://dlq:3300', DLQ_API_KEY: 'tok' },
      out: (l: string) => out.push(l),
      fetch: (async () => new Response(JSON.stringify(detail), { status: 200 })) as typeof fetch,
      sessionFile: noSession,
    };
    expect(await dlqCommand(['show', row.id], io)).toBe(0);
    expect(out).toEqual(showDeadLetter(detail));
    out.length = 0;
    expect(await dlqCommand(['show', row.id, '--json'], io)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual(detail);
  });
});
