import { providersCommand, providersUsage } from './providers.js';

const change = {
  id: '01a24951-b99e-752f-a7e9-a42bd63060b1',
  provider: 'stripe',
  surface: 'response',
  endpoint: 'payment_intents.create',
  status: 200,
  kind: 'enum_value_added',
  severity: 'error',
  path: '$.status',
  value: 'requires_capture',
  previous: null,
  usedBy: 'connector-payments: handlers/payment-requested.ts',
  message: 'status has a value the connector does not handle: requires_capture',
  shapeHash: '9f2c4a1b7e3d5f60',
  observer: 'connector-payments',
  occurrences: 3,
  firstSeenAt: '2026-12-06T03:00:00.000Z',
  lastSeenAt: '2026-12-06T04:30:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  acknowledgedReason: null,
  example: '{"id":"pi_1","status":"requires_capture","receipt_email":"[REDACTED]"}',
};

const shape = {
  provider: 'easypost',
  surface: 'webhook',
  endpoint: 'tracker.updated',
  status: null,
  hash: '0c1d2e3f4a5b6c7d',
  fields: [
    { path: '$', type: 'object' },
    { path: '$.result.status', type: 'string' },
  ],
  enums: [{ path: '$.result.status', value: 'delivered' }],
  samples: 41,
  firstSeenAt: '2026-12-01T10:00:00.000Z',
  lastSeenAt: '2026-12-06T04:00:00.000Z',
  example: '{"result":{"status":"delivered"}}',
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

function run(argv: string[], answers: Array<{ status?: number; body: unknown }>) {
  const api = fakeApi(answers);
  const out: string[] = [];
  const result = providersCommand(argv, {
    env: { RECONCILIATION_URL: 'http://rec:3400', RECONCILIATION_API_KEY: 'k' },
    out: (line) => out.push(line),
    fetch: api.doFetch,
    sessionFile: '/nonexistent/tributary-dev-session.json',
  });
  return { result, out, calls: api.calls };
}

describe('providers command', () => {
  it('lists the open changes by default in a table, with the filters asked for', async () => {
    const { result, out, calls } = run(
      ['changes', '--provider', 'stripe', '--severity', 'error'],
      [{ body: { items: [change], nextCursor: null } }],
    );
    expect(await result).toBe(0);
    expect(calls).toEqual([
      {
        method: 'GET',
        url: 'http://rec:3400/v1/provider-changes?provider=stripe&severity=error&status=open',
        auth: 'Bearer k',
      },
    ]);
    expect(out[0]).toMatch(
      /^ID\s+SEVERITY\s+KIND\s+PROVIDER\s+ENDPOINT\s+STATUS\s+PATH\s+VALUE\s+USED BY\s+SEEN\s+LAST SEEN\s+ACKNOWLEDGED$/,
    );
    expect(out[1]!.split(/\s{2,}/)).toEqual([
      change.id,
      'error',
      'enum_value_added',
      'stripe',
      'payment_intents.create',
      '200',
      '$.status',
      'requires_capture',
      'connector-payments: handlers/payment-requested.ts',
      '3',
      '2026-12-06 04:30:00',
      'no',
    ]);
    expect(out[2]).toBe('1 change(s)');
  });

  it('asks for every status with --status all and says when more match than the page holds', async () => {
    const { result, out, calls } = run(
      ['changes', '--status', 'all', '--limit', '1'],
      [{ body: { items: [change], nextCursor: 'c1' } }],
    );
    expect(await result).toBe(0);
    expect(calls[0]!.url).toBe('http://rec:3400/v1/provider-changes?limit=1');
    expect(out.at(-1)).toBe('1 change(s), more match (--limit up to 500, or narrow the filters)');
  });

  it('prints the raw items with --json', async () => {
    const { result, out } = run(['changes', '--json'], [{ body: { items: [change], nextCursor: null } }]);
    expect(await result).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual([change]);
  });

  it('shows one change with its message and the example pretty-printed', async () => {
    const { result, out, calls } = run(['change', change.id], [{ body: change }]);
    expect(await result).toBe(0);
    expect(calls[0]!.url).toBe(`http://rec:3400/v1/provider-changes/${change.id}`);
    expect(out).toEqual(
      expect.arrayContaining([
        `  ${change.message}`,
        'endpoint      stripe response payment_intents.create, status 200',
        'used by       connector-payments: handlers/payment-requested.ts',
        'acknowledged  no',
        'example',
        '    "receipt_email": "[REDACTED]"',
      ]),
    );
  });

  it('acknowledges with the reason and prints the result', async () => {
    const acknowledged = {
      ...change,
      acknowledgedAt: '2026-12-06T05:00:00.000Z',
      acknowledgedBy: 'api-key:ops',
      acknowledgedReason: 'handled in the next release',
    };
    const { result, out, calls } = run(
      ['ack', change.id, '--reason', 'handled in the next release'],
      [{ body: acknowledged }],
    );
    expect(await result).toBe(0);
    expect(calls).toEqual([
      {
        method: 'POST',
        url: `http://rec:3400/v1/provider-changes/${change.id}/acknowledge`,
        body: { reason: 'handled in the next release' },
        auth: 'Bearer k',
      },
    ]);
    expect(out).toEqual([
      `acknowledged ${change.id}: enum_value_added at stripe payment_intents.create $.status (by api-key:ops)`,
    ]);
  });

  it('refuses to acknowledge without a reason, asking nothing of the API', async () => {
    const { result, out, calls } = run(['ack', change.id], []);
    expect(await result).toBe(2);
    expect(out).toEqual([providersUsage]);
    expect(calls).toEqual([]);
  });

  it('names the problem code when the change does not exist', async () => {
    const { result } = run(
      ['change', change.id],
      [
        {
          status: 404,
          body: {
            code: 'RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND',
            detail: `no provider change ${change.id}`,
          },
        },
      ],
    );
    await expect(result).rejects.toThrow(
      `GET http://rec:3400/v1/provider-changes/${change.id} failed: 404 RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND: no provider change ${change.id}`,
    );
  });

  it('lists the known shapes in a table', async () => {
    const { result, out, calls } = run(
      ['shapes', '--provider', 'easypost', '--surface', 'webhook'],
      [{ body: { items: [shape] } }],
    );
    expect(await result).toBe(0);
    expect(calls[0]!.url).toBe('http://rec:3400/v1/provider-shapes?provider=easypost&surface=webhook');
    expect(out[0]).toMatch(
      /^PROVIDER\s+SURFACE\s+ENDPOINT\s+STATUS\s+HASH\s+SAMPLES\s+FIELDS\s+FIRST SEEN\s+LAST SEEN$/,
    );
    expect(out[1]!.split(/\s{2,}/)).toEqual([
      'easypost',
      'webhook',
      'tracker.updated',
      '-',
      '0c1d2e3f4a5b6c7d',
      '41',
      '2',
      '2026-12-01 10:00:00',
      '2026-12-06 04:00:00',
    ]);
    expect(out[2]).toBe('1 shape(s)');
  });

  it('prints its usage for an unknown command and exits 2', async () => {
    const { result, out } = run(['drift'], []);
    expect(await result).toBe(2);
    expect(out).toEqual([providersUsage]);
  });
});
