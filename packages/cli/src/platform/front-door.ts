import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a provider calls when ingestion runs as several replicas: one URL in front of all of them. */
export interface FrontDoor {
  readonly url: string;
  close(): Promise<void>;
}

export interface FrontDoorOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The instances' base URLs now (a restarted instance keeps its URL, so the list is read per request). */
  readonly upstreams: () => readonly string[];
}

/**
 * A round-robin HTTP front door, standing in for the load balancer a deployment puts in front of ingestion's
 * replicas, so that webhooks reach every replica and keep arriving while one is down. A request goes to the
 * next instance; one that refuses the connection (killed, not yet listening) passes the request to the next,
 * because the request never reached it. Any other failure is answered 502 and not retried: the instance may
 * have acted on it, and the sender's own retry (a provider redelivers) decides, as with a real balancer.
 */
export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstreams = options.upstreams();
      const first = next++;
      forward(req, Buffer.concat(chunks), res, upstreams, first, upstreams.length);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  upstreams: readonly string[],
  index: number,
  attemptsLeft: number,
): void {
  if (attemptsLeft === 0 || upstreams.length === 0) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end('no instance accepted the connection\n');
    return;
  }
  const target = new URL(req.url ?? '/', upstreams[index % upstreams.length]);
  const outgoing = request(target, { method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    // An instance that dies mid-answer cuts the caller's connection too, as a balancer would, rather than
    // leaving it waiting for the rest.
    answer.on('aborted', () => res.destroy());
    answer.on('error', () => res.destroy());
    answer.pipe(res);
  });
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNREFUSED') {
      forward(req, body, res, upstreams, index + 1, attemptsLeft - 1);
    } else if (!res.headersSent) {
      res
        .writeHead(502, { 'content-type': 'text/plain' })
        .end(`instance failed: ${error.code ?? error.message}\n`);
    } else {
      res.destroy(error);
    }
  });
  outgoing.end(body);
}
