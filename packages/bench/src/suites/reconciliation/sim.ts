import { performance } from 'node:perf_hooks';
import type { OwnerRow, RawList } from './entities.js';
import type { ReadCeiling } from './figures.js';

/** The provider simulator's admin API, as this suite drives it. */
export class SimAdmin {
  constructor(readonly url: string) {}

  async call<T>(path: string, method: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__admin${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${method} /__admin${path} → ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every provider's timestamps from real time + `offsetMs` (rate limits keep real time). */
  clock(offsetMs: number): Promise<unknown> {
    return this.call('/clock', 'POST', { offsetMs });
  }

  seed<T>(body: Record<string, unknown>): Promise<T> {
    return this.call<T>('/seed', 'POST', body);
  }

  drift(body: Record<string, unknown>): Promise<unknown> {
    return this.call('/drift', 'POST', body);
  }

  objects(): Promise<Record<string, Record<string, number>>> {
    return this.call('/objects', 'GET');
  }

  resetRates(): Promise<unknown> {
    return this.call('/rate', 'DELETE');
  }

  rate(provider: string): Promise<{ requests: number; maxIn1s: number; maxIn10s: number }> {
    return this.call(`/rate?provider=${provider}`, 'GET');
  }
}

/**
 * The read alone: every object of a list walked with plain fetch, one page after the other, as the connector
 * asks for them (same path, page size and expansions), nothing else. Fetch and JSON parsing are timed; the
 * owner rows (for the SQL ceiling) are a few property reads a record and are kept along the way.
 */
export async function rawRead(
  url: string,
  list: RawList,
  authorization: string,
): Promise<{ ceiling: ReadCeiling; rows: OwnerRow[] }> {
  const rows: OwnerRow[] = [];
  let requests = 0;
  let path: string | undefined = list.first();
  const started = performance.now();
  while (path) {
    const response = await fetch(`${url}${path}`, { headers: { authorization } });
    requests += 1;
    if (!response.ok)
      throw new Error(`GET ${path} → ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const page = list.page(await response.json(), path);
    for (const row of page.rows) rows.push(row);
    path = page.next;
  }
  return { ceiling: { requests, records: rows.length, ms: performance.now() - started }, rows };
}
