import { reconcileCommand } from './reconcile.js';

const run = {
  id: '01a24951-b99e-752f-a7e9-a42bd63060af',
  entity: 'payment',
  provider: 'stripe',
  trigger: 'api',
  mode: 'incremental',
  dryRun: false,
  windowFrom: null,
  windowTo: null,
  ids: [],
  status: 'running',
  requestedBy: 'api-key:ops',
  pages: 1,
  compared: 3,
  mismatches: 1,
  deferred: 0,
  unverifiable: 0,
  repairsEmitted: 0,
  repairsDryRun: 0,
  repairsSuppressed: 0,
  error: null,
  startedAt: '2026-12-06T03:00:00.000Z',
  finishedAt: null,
};

/** A stand-in for the reconciliation API: answers from a script, records what was asked. */
function fakeApi(answers: Array<{ status?: number; body: unknown }>) {
  const calls: Array<{ method: string; url: string; body?: unknown; auth?: string }> = [];
  const doFetch = (async (url: string, init: RequestInit) => {
    calls.push({
      method: init.method ?? 'GET',
      url,
      ...(init.body ? { body: JSON.parse(String(init.body)) } : {}),
      auth: (init.headers as Record<string, string>).authorization,
    });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200 });
  }) as typeof fetch;
  return { calls, doFetch };
}

const env = { RECONCILIATION_URL: 'http://rec:3400', RECONCILIATION_API_KEY: 'k' };

describe('reconcile command', () => {
  it('starts a full run, follows it to the end and says what it found', async () => {
    const api = fakeApi([
      { status: 202, body: run },
      { body: run },
      {
        body: {
          ...run,
          mode: 'full',
          status: 'succeeded',
          compared: 9,
          repairsEmitted: 1,
          finishedAt: run.startedAt,
        },
      },
    ]);
    const out: string[] = [];
    const code = await reconcileCommand(
      ['start', 'payment', '--full', '--wait', '--reason', 'webhooks were down'],
      {
        env,
        out: (line) => out.push(line),
        fetch: api.doFetch,
        sleep: async () => undefined,
        sessionFile: '/nonexistent',
      },
    );
    expect(code).toBe(0);
    expect(api.calls[0]).toEqual({
      method: 'POST',
      url: 'http://rec:3400/v1/runs',
      body: { entity: 'payment', mode: 'full', reason: 'webhooks were down' },
      auth: 'Bearer k',
    });
    expect(out).toContain('status    succeeded');
    expect(out).toContain('compared  9, 1 mismatch(es), 0 deferred');
  });

  it('refuses to approve without a reason, and names the URL when the service refuses', async () => {
    const api = fakeApi([
      { status: 409, body: { code: 'RECONCILIATION_FINDING_STATE_CONFLICT', detail: 'already resolved' } },
    ]);
    const io = { env, out: () => undefined, fetch: api.doFetch, sessionFile: '/nonexistent' };
    await expect(reconcileCommand(['approve', 'f-1'], io)).rejects.toThrow('needs --reason');
    await expect(reconcileCommand(['approve', 'f-1', '--reason', 'checked'], io)).rejects.toThrow(
      'POST http://rec:3400/v1/findings/f-1/approve failed: 409 RECONCILIATION_FINDING_STATE_CONFLICT: already resolved (RECONCILIATION_URL and RECONCILIATION_API_KEY from the environment)',
    );
  });
});
