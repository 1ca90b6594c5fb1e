import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers: a status, a JSON body and the provider's own headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let requestCounter = 0;

function head(answer: Answer, headers: Record<string, string>): Record<string, string> {
  requestCounter += 1;
  return {
    'content-type': 'application/json',
    'request-id': `req_${Date.now().toString(36)}${requestCounter.toString(36)}`,
    ...answer.headers,
    ...headers,
  };
}

export function send(res: ServerResponse, answer: Answer, headers: Record<string, string> = {}): void {
  // The client may have given up while a fault held the answer back.
  if (res.destroyed || res.headersSent) return;
  if (answer.status === 204) {
    const { 'content-type': _json, ...rest } = head(answer, headers);
    res.writeHead(204, rest).end();
    return;
  }
  res.writeHead(answer.status, head(answer, headers));
  res.end(JSON.stringify(answer.body));
}

/**
 * What a client sees when a proxy loses its upstream mid-answer: the status and a Content-Length for the
 * whole body, about half of the body, then the connection closes. Reading the body fails; the status was 200.
 */
export function sendTruncated(
  res: ServerResponse,
  answer: Answer,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  const body = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { ...head(answer, headers), 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}

/** Parses a JSON body; undefined when it is not JSON (the caller answers with the provider's 400). */
export function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Order-independent rendering of request parameters, to tell a replay from a reuse of a key. */
export function fingerprint(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, inner]) => [k, sorted(inner)]),
        )
      : Array.isArray(v)
        ? v.map(sorted)
        : v;
  return JSON.stringify(sorted(value));
}
