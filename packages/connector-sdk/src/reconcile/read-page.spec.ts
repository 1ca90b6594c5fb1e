import { createLogger } from '@tributary/observability';
import { ConnectorErrorCode, ProviderError } from '../errors.js';
import { priorityOf } from '../http/request-priority.js';
import { readPage } from './read-page.js';
import type { ReadRequested } from './read-page.js';
import type { ConnectorReader, ReaderContext } from './reader.js';

const request: ReadRequested & { entity: 'contact' } = {
  runId: 'run-1',
  pageNo: 3,
  provider: 'hubspot',
  entity: 'contact',
  mode: 'INCREMENTAL',
  cursor: 'c2',
  changedFrom: 1_000,
  changedTo: null,
  pageSize: 500,
  requestedAt: 0,
};

function context(signal = new AbortController().signal): ReaderContext<null, null> {
  return {
    connectorId: 'crm',
    provider: null,
    config: null,
    externalRefs: {
      find: async () => null,
      findMany: async () => new Map(),
      findByInternalId: async () => [],
    },
    logger: createLogger({ service: 'test', level: 'silent' }),
    signal,
    heartbeat: async () => undefined,
  };
}

let clock = 0;
const now = () => (clock += 10);

describe('readPage', () => {
  it('passes the request with its optional fields resolved, and answers with the page in the fields the map names', async () => {
    let seen: unknown;
    const reader: ConnectorReader<null, null> = async (req) => {
      seen = req;
      return {
        records: [
          {
            externalId: '101',
            internalId: 'c-1',
            ownerUpdatedAt: 5_000,
            deleted: false,
            // Fields the map does not name are dropped; missing ones become null.
            fields: {
              email: 'a@example.com',
              givenName: 'Ada',
              hs_lead_status: 'OPEN',
              lifecycleStage: 'customer',
            },
          },
        ],
        nextCursor: 'c3',
        complete: false,
      };
    };
    const answer = await readPage(reader, request, context(), now);
    expect(seen).toEqual({
      runId: 'run-1',
      pageNo: 3,
      entity: 'contact',
      mode: 'INCREMENTAL',
      cursor: 'c2',
      changedFrom: 1_000,
      changedTo: null,
      ids: [],
      pageSize: 500,
    });
    expect(answer).toEqual({
      runId: 'run-1',
      pageNo: 3,
      provider: 'hubspot',
      entity: 'contact',
      records: [
        {
          externalId: '101',
          internalId: 'c-1',
          ownerUpdatedAt: 5_000,
          deleted: false,
          fields: {
            email: 'a@example.com',
            givenName: 'Ada',
            familyName: null,
            phone: null,
            marketingConsent: null,
            lifecycleStage: 'customer',
            lastPaidOrderId: null,
          },
        },
      ],
      nextCursor: 'c3',
      complete: false,
      failureCode: null,
      failureMessage: null,
      readStartedAt: answer.readStartedAt,
      readCompletedAt: answer.readStartedAt + 10,
    });
  });

  it('makes every provider call of the reader low priority', async () => {
    let priority: string | undefined;
    await readPage(
      async () => {
        priority = priorityOf({});
        return { records: [], nextCursor: null, complete: true };
      },
      request,
      context(),
    );
    expect(priority).toBe('low');
    expect(priorityOf({})).toBe('normal');
  });

  it('drops the cursor of the last page', async () => {
    const answer = await readPage(
      async () => ({ records: [], nextCursor: 'ignored', complete: true }),
      request,
      context(),
    );
    expect(answer).toMatchObject({ complete: true, nextCursor: null });
  });

  it("answers a reader's error as a failed page with its stable code, to be asked for again from the same cursor", async () => {
    const answer = await readPage(
      async () => {
        throw new ProviderError(ConnectorErrorCode.providerRateLimited, 'hubspot asked to wait 1000 ms', {
          provider: 'hubspot',
          operation: 'contacts.search',
          retriable: true,
          retryAfterMs: 1_000,
        });
      },
      request,
      context(),
    );
    expect(answer).toMatchObject({
      records: [],
      nextCursor: 'c2',
      complete: false,
      failureCode: 'PROVIDER_RATE_LIMITED',
      failureMessage: 'hubspot asked to wait 1000 ms',
    });
    const bug = await readPage(
      async () => {
        throw new TypeError('x is undefined');
      },
      request,
      context(),
    );
    expect(bug).toMatchObject({ failureCode: 'UNCLASSIFIED', failureMessage: 'x is undefined' });
  });

  it('turns a page the contract refuses into a failed page instead of an answer that cannot be encoded', async () => {
    const pages = [
      { records: [], nextCursor: null, complete: false },
      {
        records: [{ externalId: '', internalId: null, ownerUpdatedAt: 1, deleted: false, fields: {} }],
        nextCursor: null,
        complete: true,
      },
      {
        records: [{ externalId: '1', internalId: null, ownerUpdatedAt: 1.5, deleted: false, fields: {} }],
        nextCursor: null,
        complete: true,
      },
      {
        records: [
          { externalId: '1', internalId: null, ownerUpdatedAt: 1, deleted: false, fields: { email: 7 } },
        ],
        nextCursor: null,
        complete: true,
      },
    ];
    for (const page of pages) {
      const answer = await readPage(async () => page as never, request, context());
      expect(answer.failureCode).toBe(ConnectorErrorCode.readerAnswerInvalid);
    }
  });

  it('answers nothing when the read was aborted by shutdown: the request is read again after the restart', async () => {
    const controller = new AbortController();
    const reading = readPage(
      async () => {
        controller.abort(new Error('shutting down'));
        throw new Error('aborted');
      },
      request,
      context(controller.signal),
    );
    await expect(reading).rejects.toThrow('aborted');
  });
});
