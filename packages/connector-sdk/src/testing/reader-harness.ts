import type { ReconciledEntityName } from '@tributary/contracts';
import { createLogger } from '@tributary/observability';
import type { ExternalRef } from '@tributary/persistence';
import { spawnNodeProcess, waitFor } from '@tributary/testkit';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { ConnectorDefinition } from '../define-connector.js';
import { ConnectorErrorCode } from '../errors.js';
import { ProviderHttpClient } from '../http/provider-http-client.js';
import type { ProviderLimits } from '../http/provider-http-client.js';
import { readPage } from '../reconcile/read-page.js';
import type { ReadCompleted, ReadRequested } from '../reconcile/read-page.js';
import type { ExternalRefLookup } from '../reconcile/reader.js';
import type { ExternalRefWrite, LoggedLine } from './fake-handler-context.js';
import { findProviderSim } from './process-harness.js';

/** What a test asks for; the rest of a `reconciliation.read.requested` is filled in. */
export type ReadAsk = Pick<ReadRequested, 'entity' | 'mode'> &
  Partial<
    Pick<ReadRequested, 'cursor' | 'changedFrom' | 'changedTo' | 'ids' | 'pageSize' | 'pageNo' | 'runId'>
  >;

export interface ReaderHarnessOptions<TConfig> {
  /** The connector's parsed config (`definition.config.parse({...})`). */
  readonly config: TConfig;
  /** Rows `external_refs` holds for the connector's provider. */
  readonly externalRefs?: readonly ExternalRefWrite[];
  /** Over the definition's limits, as the operator's variables would be (e.g. a test's lower rate). */
  readonly limits?: ProviderLimits;
}

export interface ReaderHarness<TClient> {
  /** The provider client the readers use, built as `runConnector` builds it: also for normal traffic. */
  readonly client: TClient;
  readonly http: ProviderHttpClient;
  /** One page, answered as the runtime answers it (low priority; a failure is a failed page). */
  read(ask: ReadAsk): Promise<ReadCompleted>;
  /**
   * Pages from `ask.cursor` on, each asked with the cursor the one before answered, until one is complete;
   * a failed page ends the walk (it is the last in `pages`), except with `patient`: a page refused for the
   * rate limit (`PROVIDER_RATE_LIMITED`, a low-priority call finding the reserve or a provider's 429) is
   * asked for again from the same cursor until it is read, as the reconciler does, and counted in
   * `refused`. At most `maxPages` read pages.
   */
  walk(
    ask: ReadAsk,
    options?: { maxPages?: number; patient?: boolean; timeoutMs?: number },
  ): Promise<{ pages: ReadCompleted[]; records: ReadCompleted['records']; refused: number }>;
  /** What the readers logged. */
  readonly logs: LoggedLine[];
  close(): Promise<void>;
}

/**
 * A connector's readers in the test process, on the connector's own provider client (limits, pacing,
 * priority) and `readPage`, the runtime's path from request to answer, with `external_refs` in memory: what
 * a reader's tests against the provider simulator need without Kafka or Postgres. The Kafka side (inbox,
 * outbox, one answer per request) is the runtime's and tested there.
 */
export function readerHarness<TSchema extends z.ZodType, TClient>(
  definition: ConnectorDefinition<TSchema, TClient>,
  options: ReaderHarnessOptions<z.output<TSchema>>,
): ReaderHarness<TClient> {
  const reconcile = definition.reconcile ?? {};
  const http = new ProviderHttpClient({
    provider: definition.provider,
    ...definition.limits,
    ...options.limits,
    ...definition.http(options.config),
  });
  const client = definition.client(http, options.config);
  const logs: LoggedLine[] = [];
  const logger = createLogger({
    service: `connector-${definition.id}`,
    level: 'trace',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as LoggedLine) },
  });
  const now = new Date();
  const refs: ExternalRef[] = (options.externalRefs ?? []).map((ref) => ({
    provider: definition.provider,
    ...ref,
    createdAt: now,
    updatedAt: now,
  }));
  const externalRefs: ExternalRefLookup = {
    find: async (type, id) => refs.find((r) => r.externalType === type && r.externalId === id) ?? null,
    findMany: async (type, ids) =>
      new Map(
        refs
          .filter((r) => r.externalType === type && ids.includes(r.externalId))
          .map((r) => [r.externalId, r]),
      ),
    findByInternalId: async (type, id) => refs.filter((r) => r.externalType === type && r.internalId === id),
  };
  const runId = uuidv7();
  let pageNo = 0;

  const read = async (ask: ReadAsk): Promise<ReadCompleted> => {
    const entity = ask.entity as ReconciledEntityName;
    const reader = reconcile[entity];
    if (!reader) throw new Error(`${definition.id} has no reader for ${ask.entity}`);
    const request: ReadRequested & { entity: ReconciledEntityName } = {
      runId: ask.runId ?? runId,
      pageNo: ask.pageNo ?? ++pageNo,
      provider: definition.provider,
      mode: ask.mode,
      cursor: ask.cursor ?? null,
      changedFrom: ask.changedFrom ?? null,
      changedTo: ask.changedTo ?? null,
      ids: ask.ids ?? [],
      pageSize: ask.pageSize ?? 100,
      requestedAt: Date.now(),
      entity,
    };
    return readPage(reader, request, {
      connectorId: definition.id,
      provider: client,
      config: options.config,
      externalRefs,
      logger,
      signal: new AbortController().signal,
      heartbeat: async () => undefined,
    });
  };

  return {
    client,
    http,
    read,
    async walk(ask, { maxPages = 10_000, patient = false, timeoutMs = 30_000 } = {}) {
      const pages: ReadCompleted[] = [];
      let cursor = ask.cursor ?? null;
      let refused = 0;
      const readPatiently = (from: string | null) =>
        waitFor(
          async () => {
            const page = await read({ ...ask, cursor: from });
            if (page.failureCode !== ConnectorErrorCode.providerRateLimited) return page;
            refused += 1;
            return undefined;
          },
          // Half a second between tries, as the reconciler's first backoff: asked every few milliseconds, a
          // page of several calls spends the first calls' tokens each time and never finds room for all.
          { timeoutMs, intervalMs: 500, message: `page ${pages.length + 1} read past the rate limit` },
        );
      while (pages.length < maxPages) {
        const page = patient ? await readPatiently(cursor) : await read({ ...ask, cursor });
        pages.push(page);
        if (page.failureCode || page.complete) break;
        cursor = page.nextCursor ?? null;
      }
      return { pages, records: pages.flatMap((page) => page.records), refused };
    },
    logs,
    close: () => http.close(),
  };
}

export interface ProviderSimProcess {
  readonly url: string;
  /** `/__admin<path>` of the simulator; throws on a non-2xx answer. */
  admin<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

/**
 * `apps/provider-sim` as a process on a free port (from source unless `PROVIDER_SIM_MAIN` or `main` says
 * otherwise), for tests that talk to it directly: a connector cannot import another app.
 */
export async function providerSimProcess(
  options: { env?: Record<string, string>; main?: string } = {},
): Promise<ProviderSimProcess> {
  const sim = spawnNodeProcess(options.main ?? (process.env.PROVIDER_SIM_MAIN || findProviderSim()), {
    env: { ...options.env, PORT: '0' },
  });
  try {
    const url = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;
    return {
      url,
      async admin<T>(path: string, init: { method?: string; body?: unknown } = {}) {
        const response = await fetch(`${url}/__admin${path}`, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          ...(init.body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`provider-sim ${path} → ${response.status}: ${text}`);
        return (text ? JSON.parse(text) : undefined) as T;
      },
      close: async () => {
        await sim.kill('SIGTERM');
      },
    };
  } catch (error) {
    await sim.kill('SIGKILL').catch(() => undefined);
    throw error;
  }
}
