import { ProviderError, isProviderError, malformedAnswer } from '@tributary/connector-sdk';
import type { ConnectorErrorCode, ProviderHttpClient } from '@tributary/connector-sdk';

/** A HubSpot CRM object as the v3 API answers it: every property value is a string (or null when empty). */
export interface HubSpotContact {
  /** HubSpot's record id, a numeric string. */
  id: string;
  properties: Record<string, string | null | undefined>;
  createdAt: string;
  updatedAt: string;
  archived?: boolean;
  /** When it went to the recycling bin (archived contacts only). */
  archivedAt?: string;
  /** Batch upsert only: whether this write created the contact. */
  new?: boolean;
  /** Batch upsert only: the trace id of the input that produced this result. */
  objectWriteTraceId?: string;
}

/** One input of `POST /crm/v3/objects/contacts/batch/upsert`: the contact named by a unique property. */
export interface ContactUpsertInput {
  idProperty: string;
  id: string;
  properties: Record<string, string>;
  /** HubSpot echoes it on the result and in its logs; ours is the event's idempotency key. */
  objectWriteTraceId: string;
}

export interface BatchUpsertResponse {
  status: string;
  results: HubSpotContact[];
  /** On a 207 (partial success) HubSpot lists the failed inputs here. */
  errors?: HubSpotErrorBody[];
  numErrors?: number;
}

/** HubSpot's error envelope. `message` may quote property values (personal data): never copy it into errors. */
export interface HubSpotErrorBody {
  status?: string;
  category?: string;
  message?: string;
  correlationId?: string;
}

export interface CallOptions {
  idempotencyKey: string;
  signal?: AbortSignal;
}

/** One filter of a CRM search: `GTE`, `LTE`, `EQ`, `IN`, ... on a property (dates as epoch ms strings). */
export interface SearchFilter {
  propertyName: string;
  operator:
    | 'EQ'
    | 'NEQ'
    | 'LT'
    | 'LTE'
    | 'GT'
    | 'GTE'
    | 'BETWEEN'
    | 'IN'
    | 'NOT_IN'
    | 'HAS_PROPERTY'
    | 'NOT_HAS_PROPERTY';
  value?: string;
  values?: string[];
}

export interface ContactSearch {
  /** ORed groups of ANDed filters. */
  filterGroups: { filters: SearchFilter[] }[];
  /** HubSpot takes one sort. */
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: readonly string[];
  /** ≤ 200. */
  limit: number;
  /** HubSpot's paging token: an offset into the result, refused from 10,000 on. */
  after?: string;
}

/** A page of a list or a search; `paging.next.after` is the next page's token, absent on the last page. */
export interface ContactPage {
  results: HubSpotContact[];
  paging?: { next?: { after: string } };
  /** Search only: how many contacts match. */
  total?: number;
}

/**
 * The slice of HubSpot's CRM v3 API the CRM connector uses, on the SDK's HTTP client (timeouts, retries,
 * breaker, rate limits). Bearer auth with a private app's access token (set by the definition's `http`).
 * HubSpot has no idempotency header; a batch upsert by a unique property is idempotent by HubSpot's state
 * (writing the same values again changes nothing), and `objectWriteTraceId` ties each write to our key.
 */
export class HubSpotClient {
  constructor(private readonly http: ProviderHttpClient) {}

  async upsertContacts(inputs: ContactUpsertInput[], options: CallOptions): Promise<BatchUpsertResponse> {
    try {
      const response = await this.http.request<BatchUpsertResponse>({
        method: 'POST',
        path: '/crm/v3/objects/contacts/batch/upsert',
        operation: 'contacts.batch_upsert',
        json: { inputs },
        idempotencyKey: options.idempotencyKey,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return response.body;
    } catch (error) {
      throw withHubSpotCategory(error);
    }
  }

  /**
   * The contact by HubSpot id, or by a unique property (`idProperty`), with these `properties` (HubSpot
   * returns only a default few unless asked); undefined on a 404.
   */
  async getContact(
    id: string,
    options: { idProperty?: string; properties?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<HubSpotContact | undefined> {
    const query = new URLSearchParams();
    if (options.idProperty) query.set('idProperty', options.idProperty);
    if (options.properties?.length) query.set('properties', options.properties.join(','));
    const search = query.size > 0 ? `?${query.toString()}` : '';
    try {
      const response = await this.http.request<HubSpotContact>({
        method: 'GET',
        path: `/crm/v3/objects/contacts/${encodeURIComponent(id)}${search}`,
        operation: 'contacts.get',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return response.body;
    } catch (error) {
      if (isProviderError(error) && error.status === 404) return undefined;
      throw withHubSpotCategory(error);
    }
  }

  /** `POST /crm/v3/objects/contacts/search`: a read, so no idempotency key. */
  async searchContacts(search: ContactSearch, signal?: AbortSignal): Promise<ContactPage> {
    try {
      const response = await this.http.request<unknown>({
        method: 'POST',
        path: '/crm/v3/objects/contacts/search',
        operation: 'contacts.search',
        json: search,
        readOnly: true,
        ...(signal ? { signal } : {}),
      });
      return pageOf(response.body, 'contacts.search');
    } catch (error) {
      throw withHubSpotCategory(error);
    }
  }

  /** `GET /crm/v3/objects/contacts` in id order: live contacts, or the archived ones alone. */
  async listContacts(
    options: { archived: boolean; limit: number; after?: string; properties: readonly string[] },
    signal?: AbortSignal,
  ): Promise<ContactPage> {
    const query = new URLSearchParams({
      archived: String(options.archived),
      limit: String(options.limit),
      properties: options.properties.join(','),
    });
    if (options.after) query.set('after', options.after);
    try {
      const response = await this.http.request<unknown>({
        method: 'GET',
        path: `/crm/v3/objects/contacts?${query}`,
        operation: 'contacts.list',
        ...(signal ? { signal } : {}),
      });
      return pageOf(response.body, 'contacts.list');
    } catch (error) {
      throw withHubSpotCategory(error);
    }
  }
}

/** A page of contacts, or PROVIDER_ANSWER_MALFORMED: half an answer must not pass for a shorter page. */
function pageOf(body: unknown, operation: string): ContactPage {
  const page = body as Partial<ContactPage> | undefined;
  if (!Array.isArray(page?.results)) throw malformedAnswer('hubspot', operation, 'no results array');
  for (const contact of page.results) {
    if (
      typeof contact?.id !== 'string' ||
      typeof contact.properties !== 'object' ||
      contact.properties === null
    )
      throw malformedAnswer('hubspot', operation, 'a result without id or properties');
  }
  const after = page.paging?.next?.after;
  if (page.paging?.next && typeof after !== 'string')
    throw malformedAnswer('hubspot', operation, 'paging.next without after');
  return page as ContactPage;
}

/**
 * Names HubSpot's error `category` and `correlationId` in the error (DLQ headers and logs carry the message),
 * never HubSpot's `message`, which can quote personal data. The classification stays the SDK's.
 */
export function withHubSpotCategory(error: unknown): unknown {
  if (!isProviderError(error)) return error;
  const body = (typeof error.body === 'object' && error.body !== null ? error.body : {}) as HubSpotErrorBody;
  if (!body.category) return error;
  return new ProviderError(
    error.code as ConnectorErrorCode,
    `${error.message}: ${body.category}${body.correlationId ? ` (correlationId ${body.correlationId})` : ''}`,
    {
      provider: error.provider,
      operation: error.operation,
      retriable: error.retriable,
      ...(error.status === undefined ? {} : { status: error.status }),
      body: error.body,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      cause: error,
    },
  );
}
