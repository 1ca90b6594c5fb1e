import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pickFreePorts } from '@tributary/testkit';
import { startFrontDoor } from './front-door.js';
import type { FrontDoor } from './front-door.js';

/** An instance that answers with its name and echoes what it received. */
async function instance(name: string): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push(
        `${req.method} ${req.url} ${req.headers['x-signature'] ?? ''} ${Buffer.concat(chunks).toString()}`,
      );
      res.writeHead(202, { 'x-instance': name }).end(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

describe('startFrontDoor', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  const track = (door: FrontDoor, ...servers: Server[]) => {
    closers.push(() => door.close());
    for (const server of servers) closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return door;
  };

  it('spreads requests over the instances in turn, with their method, path, headers and body', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const door = track(
      await startFrontDoor({ port: 0, upstreams: () => [a.url, b.url] }),
      a.server,
      b.server,
    );

    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${door.url}/webhooks/stripe?n=${i}`, {
        method: 'POST',
        headers: { 'x-signature': `sig${i}` },
        body: `{"n":${i}}`,
      });
      expect(res.status).toBe(202);
      answers.push(res.headers.get('x-instance')!);
    }

    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect([...a.seen, ...b.seen].sort()).toEqual(
      [0, 1, 2, 3].map((i) => `POST /webhooks/stripe?n=${i} sig${i} {"n":${i}}`),
    );
  });

  it('passes a request an instance refused to connect to on to the next one', async () => {
    const [closedPort] = await pickFreePorts(1);
    const live = await instance('live');
    const door = track(
      await startFrontDoor({ port: 0, upstreams: () => [`http://127.0.0.1:${closedPort}`, live.url] }),
      live.server,
    );

    const statuses = await Promise.all(
      [0, 1, 2].map(async (i) => (await fetch(`${door.url}/x`, { method: 'POST', body: String(i) })).status),
    );

    expect(statuses).toEqual([202, 202, 202]);
    expect(live.seen.map((line) => line.at(-1)).sort()).toEqual(['0', '1', '2']);
  });

  it('answers 502 when no instance accepts the connection', async () => {
    const [closedPort] = await pickFreePorts(1);
    const door = track(
      await startFrontDoor({ port: 0, upstreams: () => [`http://127.0.0.1:${closedPort}`] }),
    );

    const res = await fetch(`${door.url}/x`, { method: 'POST', body: 'lost?' });

    expect(res.status).toBe(502);
  });
});
