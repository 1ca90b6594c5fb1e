import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpClient } from '@tributary/connector-sdk';
import { EasyPostClient, basicAuth, isPostageExists } from './easypost.client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** An EasyPost stand-in on a real port: answers each `METHOD /path` with its fixed answer, recording requests. */
async function easypost(answers: Record<string, { status: number; body: unknown }>) {
  const seen: Seen[] = [];
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
        body: { error: { code: 'NOT_FOUND' } },
      };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const http = new ProviderHttpClient({
    provider: 'easypost',
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    defaultHeaders: { authorization: basicAuth('EZTK_test') },
    retry: { maxRetries: 0 },
  });
  return {
    client: new EasyPostClient(http),
    seen,
    close: async () => {
      await http.close();
      server.close();
    },
  };
}

const shipment = {
  id: 'shp_1',
  object: 'Shipment',
  reference: 'ship-1',
  rates: [],
  selected_rate: null,
  tracking_code: null,
  tracker: null,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
};

describe('EasyPostClient', () => {
  it('creates a shipment as EasyPost takes it: wrapped JSON, Basic auth with the key as user, Idempotency-Key', async () => {
    const sim = await easypost({ 'POST /v2/shipments': { status: 201, body: shipment } });
    try {
      const created = await sim.client.createShipment(
        {
          reference: 'ship-1',
          toAddress: { name: 'Ada', street1: 'Main St 1', city: 'Berlin', zip: '10115', country: 'DE' },
          fromAddress: { name: 'Depot', street1: 'Dock 2', city: 'Hamburg', zip: '20095', country: 'DE' },
          weightOz: 35.3,
        },
        { idempotencyKey: 'tributary:logistics:evt-1:create' },
      );
      expect(created.id).toBe('shp_1');
      const [request] = sim.seen;
      expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('EZTK_test:').toString('base64')}`);
      expect(request!.headers['idempotency-key']).toBe('tributary:logistics:evt-1:create');
      expect(request!.body).toEqual({
        shipment: {
          reference: 'ship-1',
          to_address: { name: 'Ada', street1: 'Main St 1', city: 'Berlin', zip: '10115', country: 'DE' },
          from_address: { name: 'Depot', street1: 'Dock 2', city: 'Hamburg', zip: '20095', country: 'DE' },
          parcel: { weight: 35.3 },
        },
      });
    } finally {
      await sim.close();
    }
  });

  it('buys a rate by id on the shipment, with the key', async () => {
    const sim = await easypost({ 'POST /v2/shipments/shp_1/buy': { status: 200, body: shipment } });
    try {
      await sim.client.buyShipment('shp_1', 'rate_1', { idempotencyKey: 'tributary:logistics:evt-1' });
      expect(sim.seen[0]).toMatchObject({
        body: { rate: { id: 'rate_1' } },
        headers: { 'idempotency-key': 'tributary:logistics:evt-1' },
      });
    } finally {
      await sim.close();
    }
  });

  it('finds a shipment by our reference, and answers undefined on a 404', async () => {
    const sim = await easypost({ 'GET /v2/shipments/ship-1': { status: 200, body: shipment } });
    try {
      expect(await sim.client.findShipment('ship-1')).toMatchObject({ id: 'shp_1' });
      expect(await sim.client.findShipment('ship-2')).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('recognises a buy of a shipment that already has postage (422 SHIPMENT.POSTAGE.EXISTS), and only that', async () => {
    const sim = await easypost({
      'POST /v2/shipments/shp_1/buy': {
        status: 422,
        body: { error: { code: 'SHIPMENT.POSTAGE.EXISTS', message: 'already bought', errors: [] } },
      },
      'POST /v2/shipments/shp_2/buy': {
        status: 422,
        body: { error: { code: 'SHIPMENT.RATE.NOT_FOUND', message: 'no such rate', errors: [] } },
      },
    });
    try {
      const exists = await sim.client
        .buyShipment('shp_1', 'rate_1', { idempotencyKey: 'k1' })
        .catch((e) => e);
      const other = await sim.client.buyShipment('shp_2', 'rate_1', { idempotencyKey: 'k2' }).catch((e) => e);
      expect(isPostageExists(exists)).toBe(true);
      expect(isPostageExists(other)).toBe(false);
      // Any other 4xx stays what the SDK made it: not retriable, so the DLQ.
      expect(other).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false, status: 422 });
    } finally {
      await sim.close();
    }
  });
});
