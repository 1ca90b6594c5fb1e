import { dlqCommand, table } from './dlq.js';

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
      /403 API_KEY_SCOPE_MISSING: needs dlq:discard/,
    );
    await expect(dlqCommand(['replay', '--group', 'g'], io)).rejects.toThrow(/--reason/);
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
    };
    expect(await dlqCommand(['replay', '--group', 'g', '--reason', 'fixed', '--wait'], io)).toBe(0);
    expect(out.slice(1)).toEqual(['  sent 1/4', '  sent 3/4', '  sent 4/4']);
  });
});
