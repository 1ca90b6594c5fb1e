import { ConnectorErrorCode, isProviderError, malformedAnswer } from '@tributary/connector-sdk';
import type { ProviderHttpClient } from '@tributary/connector-sdk';

/** An address as EasyPost takes it (and returns it); only the fields this connector sends. */
export interface EasyPostAddress {
  name?: string | null;
  company?: string | null;
  street1: string;
  street2?: string | null;
  city: string;
  state?: string | null;
  zip: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone?: string | null;
  email?: string | null;
}

export interface EasyPostRate {
  id: string;
  carrier: string;
  service: string;
  /** A decimal string, e.g. "7.58", in `currency`. */
  rate: string;
  currency: string;
  delivery_days?: number | null;
  delivery_date?: string | null;
}

export interface EasyPostTracker {
  id: string;
  object: 'Tracker';
  status: string;
  tracking_code: string;
  carrier: string;
  public_url?: string | null;
  est_delivery_date?: string | null;
  updated_at?: string | null;
}

/** The fields of EasyPost's Shipment this connector reads. */
export interface EasyPostShipment {
  id: string;
  object: 'Shipment';
  reference?: string | null;
  status?: string | null;
  rates: EasyPostRate[];
  selected_rate: EasyPostRate | null;
  tracking_code: string | null;
  tracker: EasyPostTracker | null;
  postage_label?: { label_url?: string | null; created_at?: string | null } | null;
  created_at: string;
  updated_at: string;
}

export interface CreateShipment {
  /** Our shipmentId: EasyPost accepts it in place of the `shp_…` id on retrieval (see `findShipment`). */
  reference: string;
  toAddress: EasyPostAddress;
  fromAddress: EasyPostAddress;
  /** Ounces, EasyPost's unit; decimals allowed. */
  weightOz: number;
}

export interface CallOptions {
  idempotencyKey: string;
  signal?: AbortSignal;
}

/** EasyPost's "retrieve all": newest first, `page_size` ≤ 100, `before_id` for older ones. */
export interface ListShipments {
  pageSize: number;
  beforeId?: string;
  /** Inclusive bounds on `created_at`. */
  createdFrom?: Date;
  createdTo?: Date;
  /** EasyPost lists bought shipments only unless told otherwise. */
  purchased: boolean;
}

export interface ShipmentPage {
  shipments: EasyPostShipment[];
  has_more: boolean;
}

/** EasyPost's error envelope: `{ error: { code, message, errors: [] } }`. */
export interface EasyPostErrorBody {
  error?: { code?: string; message?: string; errors?: unknown[] };
}

/** The code EasyPost answers a buy of a shipment that already has postage with (HTTP 422). */
export const POSTAGE_EXISTS = 'SHIPMENT.POSTAGE.EXISTS';

/**
 * The slice of EasyPost's v2 API the logistics connector uses, on the SDK's HTTP client (timeouts, retries,
 * breaker and rate limits apply). JSON bodies wrapped in the object name (`{ shipment: {...} }`), HTTP Basic
 * auth with the API key as user name (set by the definition's `http`).
 */
export class EasyPostClient {
  constructor(private readonly http: ProviderHttpClient) {}

  async createShipment(params: CreateShipment, options: CallOptions): Promise<EasyPostShipment> {
    const response = await this.http.request<EasyPostShipment>({
      method: 'POST',
      path: '/v2/shipments',
      operation: 'shipments.create',
      json: {
        shipment: {
          reference: params.reference,
          to_address: params.toAddress,
          from_address: params.fromAddress,
          parcel: { weight: params.weightOz },
        },
      },
      idempotencyKey: options.idempotencyKey,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.body;
  }

  /** Buys `rateId` for the shipment: the label, the tracking code and the tracker. */
  async buyShipment(id: string, rateId: string, options: CallOptions): Promise<EasyPostShipment> {
    const response = await this.http.request<EasyPostShipment>({
      method: 'POST',
      path: `/v2/shipments/${encodeURIComponent(id)}/buy`,
      operation: 'shipments.buy',
      json: { rate: { id: rateId } },
      idempotencyKey: options.idempotencyKey,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.body;
  }

  async retrieveShipment(id: string, signal?: AbortSignal): Promise<EasyPostShipment> {
    const response = await this.http.request<EasyPostShipment>({
      method: 'GET',
      path: `/v2/shipments/${encodeURIComponent(id)}`,
      operation: 'shipments.retrieve',
      ...(signal ? { signal } : {}),
    });
    return response.body;
  }

  async listShipments(params: ListShipments, signal?: AbortSignal): Promise<ShipmentPage> {
    const query = new URLSearchParams({
      page_size: String(params.pageSize),
      purchased: String(params.purchased),
    });
    if (params.beforeId) query.set('before_id', params.beforeId);
    if (params.createdFrom) query.set('start_datetime', params.createdFrom.toISOString());
    if (params.createdTo) query.set('end_datetime', params.createdTo.toISOString());
    const response = await this.http.request<unknown>({
      method: 'GET',
      path: `/v2/shipments?${query}`,
      operation: 'shipments.list',
      ...(signal ? { signal } : {}),
    });
    const page = response.body as Partial<ShipmentPage> | undefined;
    if (!Array.isArray(page?.shipments) || typeof page.has_more !== 'boolean')
      throw malformedAnswer('easypost', 'shipments.list', 'no shipments array');
    for (const shipment of page.shipments) {
      if (typeof shipment?.id !== 'string' || typeof shipment.updated_at !== 'string')
        throw malformedAnswer('easypost', 'shipments.list', 'a shipment without id or updated_at');
    }
    return page as ShipmentPage;
  }

  /**
   * The shipment with this id or our own `reference` (EasyPost takes a reference in place of the id), or
   * undefined when there is none (404).
   */
  async findShipment(idOrReference: string, signal?: AbortSignal): Promise<EasyPostShipment | undefined> {
    try {
      return await this.retrieveShipment(idOrReference, signal);
    } catch (error) {
      if (
        isProviderError(error) &&
        error.code === ConnectorErrorCode.providerRejected &&
        error.status === 404
      )
        return undefined;
      throw error;
    }
  }
}

/** Whether a failed buy failed because the shipment already has postage (bought before). */
export function isPostageExists(error: unknown): boolean {
  return (
    isProviderError(error) &&
    error.status === 422 &&
    (error.body as EasyPostErrorBody | undefined)?.error?.code === POSTAGE_EXISTS
  );
}

/** HTTP Basic credentials as EasyPost takes them: the API key as user name, an empty password. */
export function basicAuth(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
}
