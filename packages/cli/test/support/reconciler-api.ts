import { waitFor } from '@tributary/testkit';
import type { components } from '../../src/generated/reconciliation-api.js';

export type Run = components['schemas']['Run'];
export type Finding = components['schemas']['Finding'];
export type StartRun = components['schemas']['StartRunRequest'];

/** The reconciler's HTTP API as an operator drives it: runs started by hand, findings read back. */
export class ReconcilerApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  async start(request: StartRun): Promise<Run> {
    const started = await this.call('POST', '/v1/runs', { reason: 'reconciliation e2e', ...request });
    if (started.status !== 202)
      throw new Error(`POST /v1/runs → ${started.status} ${JSON.stringify(started.body)}`);
    return started.body as Run;
  }

  async show(id: string): Promise<Run> {
    return (await this.call('GET', `/v1/runs/${id}`)).body as Run;
  }

  /** Waits for the run to leave `running`. */
  async finished(id: string, timeoutMs = 120_000): Promise<Run> {
    return waitFor(
      `run ${id} finished`,
      async () => {
        const run = await this.show(id);
        return run.status !== 'running' && run;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Starts a run and waits for its end. */
  async run(request: StartRun, timeoutMs?: number): Promise<Run> {
    return this.finished((await this.start(request)).id, timeoutMs);
  }

  /** Every finding a run recorded, all pages. */
  async findings(runId: string): Promise<Finding[]> {
    const all: Finding[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/findings?runId=${runId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await this.call('GET', query)).body as { items: Finding[]; nextCursor: string | null };
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }
}

/** A finding in the few fields a case asserts, for `toEqual` on a whole run's findings. */
export function summary(finding: Finding) {
  return {
    entityId: finding.entityId,
    class: finding.class,
    decision: finding.decision,
    status: finding.status,
  };
}
