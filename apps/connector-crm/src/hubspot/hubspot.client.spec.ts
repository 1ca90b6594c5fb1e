import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpClient } from '@tributary/connector-sdk';
import { crmConnector } from '../crm.connector.js';
import { HubSpotClient } from './hubspot.client.js';

interface Answer {
  status: number;
  body: unknown;
  headers?: OutgoingHttpHeaders;
}

/** A HubSpot stand-in on a real port: answers `METHOD /path?query` with its fixed answer, recording requests. */
async function hubspot(answers: Record<string, Answer>) {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: body ? JSON.parse(body) : undefined,
      });
      const answer = answers[`${req.method} ${req.url}`] ?? {
        status: 404,
        body: { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'not found', correlationId: 'c-404' },
      };
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The definition's own limits (window headers, permanent statuses), without in-process retries.
  const http = new ProviderHttpClient({
    ...crmConnector.limits,
    retry: { maxRetries: 0 },
    provider: 'hubspot',
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    defaultHeaders: { authorization: 'Bearer pat-test' },
  });
  return {
    client: new HubSpotClient(http),
    seen,
    close: async () => {
      await http.close();
      server.close();
    },
  };
}

const UPSERT = 'POST /crm/v3/objects/contacts/batch/upsert';
const input = {
  idProperty: 'tributary_contact_id',
  id: 'cust-1',
  properties: { lifecyclestage: 'customer' },
  objectWriteTraceId: 'tributary:crm:evt-1',
};
const hubspotError = (category: string, message = 'Property values were not valid: ada@example.com') => ({
  status: 'error',
  category,
  message,
  correlationId: 'c-1',
});

describe('HubSpotClient', () => {
  it('upserts by a unique property with a Bearer token, the inputs as HubSpot takes them', async () => {
    const sim = await hubspot({ [UPSERT]: { status: 200, body: { status: 'COMPLETE', results: [] } } });
    try {
      await sim.client.upsertContacts([input], { idempotencyKey: 'tributary:crm:evt-1' });
      expect(sim.seen[0]).toMatchObject({
        headers: { authorization: 'Bearer pat-test', 'content-type': 'application/json' },
        body: { inputs: [input] },
      });
    } finally {
      await sim.close();
    }
  });

  it('reads a contact by our id property with the properties asked for, and answers undefined on a 404', async () => {
    const contact = { id: '101', properties: {}, createdAt: '', updatedAt: '' };
    const sim = await hubspot({
      'GET /crm/v3/objects/contacts/cust-1?idProperty=tributary_contact_id&properties=email%2Cphone': {
        status: 200,
        body: contact,
      },
    });
    try {
      const options = { idProperty: 'tributary_contact_id', properties: ['email', 'phone'] };
      expect(await sim.client.getContact('cust-1', options)).toEqual(contact);
      expect(await sim.client.getContact('cust-2', options)).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it("names HubSpot's category and correlation id in a rejection, never its message (personal data)", async () => {
    const sim = await hubspot({ [UPSERT]: { status: 400, body: hubspotError('VALIDATION_ERROR') } });
    try {
      const error = await sim.client.upsertContacts([input], { idempotencyKey: 'k' }).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false, status: 400 });
      expect((error as Error).message).toContain('VALIDATION_ERROR (correlationId c-1)');
      expect((error as Error).message).not.toContain('ada@example.com');
    } finally {
      await sim.close();
    }
  });

  it('holds every call for the window once HubSpot reports none remaining (no Retry-After needed)', async () => {
    const sim = await hubspot({
      [UPSERT]: {
        status: 200,
        body: { status: 'COMPLETE', results: [] },
        headers: {
          'x-hubspot-ratelimit-max': '190',
          'x-hubspot-ratelimit-remaining': '0',
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
        },
      },
    });
    try {
      await sim.client.upsertContacts([input], { idempotencyKey: 'k1' });
      const held = (await sim.client
        .upsertContacts([input], { idempotencyKey: 'k2' })
        .catch((e: unknown) => e)) as { code: string; retriable: boolean; retryAfterMs: number };
      expect(held).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retriable: true });
      // About the reported window, not the 1 s fallback.
      expect(held.retryAfterMs).toBeGreaterThan(9_000);
      expect(sim.seen).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });

  it('makes a 409 CONFLICT (a unique value held by another contact) non-retriable', async () => {
    const sim = await hubspot({ [UPSERT]: { status: 409, body: hubspotError('CONFLICT') } });
    try {
      await expect(sim.client.upsertContacts([input], { idempotencyKey: 'k' })).rejects.toMatchObject({
        code: 'PROVIDER_REJECTED',
        retriable: false,
        status: 409,
      });
    } finally {
      await sim.close();
    }
  });

  it('leaves a 429 to the SDK: rate limited, retriable, waiting for Retry-After', async () => {
    const sim = await hubspot({
      [UPSERT]: {
        status: 429,
        body: hubspotError('RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.'),
        headers: {
          'retry-after': '3',
          'x-hubspot-ratelimit-max': '190',
          'x-hubspot-ratelimit-remaining': '0',
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
        },
      },
    });
    try {
      await expect(sim.client.upsertContacts([input], { idempotencyKey: 'k' })).rejects.toMatchObject({
        code: 'PROVIDER_RATE_LIMITED',
        retriable: true,
        retryAfterMs: 3000,
      });
    } finally {
      await sim.close();
    }
  });
});
