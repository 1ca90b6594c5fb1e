import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: { id: string } & Record<string, unknown>;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A webhook endpoint on an ephemeral port that records what it gets. `status` picks the answer for the nth
 * request (1-based), so a test can make the first attempt fail.
 */
export async function startReceiver(status: (nth: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let nth = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      nth += 1;
      const body = Buffer.concat(chunks);
      received.push({
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json: JSON.parse(body.toString('utf8')) as ReceivedWebhook['json'],
        at: Date.now(),
      });
      res.writeHead(status(nth)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Calls the simulator's admin API and returns the JSON answer, failing on a non-2xx status. */
export async function admin<T = unknown>(
  baseUrl: string,
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<T> {
  const response = await fetch(`${baseUrl}/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /__admin${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export const bearer = { authorization: 'Bearer sk_test_sim' };
