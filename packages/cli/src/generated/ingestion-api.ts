// Generated from apps/ingestion/openapi.json by `npm run generate -w @tributary/cli`; do not edit.
export interface paths {
    readonly "/v1/event-log": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** List webhooks and events received, newest first */
        readonly get: operations["listEventLog"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/event-log/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One entry with its payload and the delivery state of its events */
        readonly get: operations["showEventLogEntry"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/event-log/{id}/replay": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Replay one entry (audited) */
        readonly post: operations["replayEventLogEntry"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/event-log/replay": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Replay a provider's entries received in [from, to) (audited) */
        readonly post: operations["replayEventLogRange"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/events": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Publish a catalogue event
         * @description Validates the payload against the type's Avro schema and writes the event to the event log and the outbox. Retries with the same Idempotency-Key and body get the same answer.
         */
        readonly post: operations["publishEvent"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/webhooks/{provider}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Receive a provider webhook
         * @description Receives a signed webhook. The raw body is verified before it is parsed; a provider without configured secrets is refused.
         *     Each provider event is deduplicated on its provider identity; a delivery whose events were all seen before answers 200 and publishes nothing.
         *
         *     | provider | domain | scheme | headers | secrets |
         *     |---|---|---|---|---|
         *     | easypost | logistics | easypost | x-hmac-signature | EASYPOST_WEBHOOK_SECRETS |
         *     | github | engineering | github | x-hub-signature-256 | GITHUB_WEBHOOK_SECRETS |
         *     | hubspot | crm | hubspot-v3 | x-hubspot-signature-v3, x-hubspot-request-timestamp | HUBSPOT_CLIENT_SECRETS |
         *     | stripe | payments | stripe | stripe-signature | STRIPE_WEBHOOK_SECRETS |
         *
         *     Besides these, every source declared in `WEBHOOK_SOURCES` / `WEBHOOK_SOURCES_FILE` (its name is the path segment); each of its events is published as `integrations.webhook.received`.
         */
        readonly post: operations["receiveWebhook"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        readonly EventLogEntry: {
            readonly dedupeKey: string;
            readonly eventIds: readonly string[];
            readonly eventType: string;
            /** Format: uuid */
            readonly id: string;
            readonly occurredAt: string | null;
            readonly provider: string;
            /** Format: date-time */
            readonly receivedAt: string;
            readonly replayCount: number;
            /** @enum {string} */
            readonly source: "webhook" | "api";
            /** @enum {string} */
            readonly status: "mapped" | "ignored" | "unresolved" | "unknown_type" | "invalid" | "failed" | "accepted";
            readonly statusReason: string | null;
        };
        readonly EventLogEntryDetail: {
            readonly dedupeKey: string;
            readonly eventIds: readonly string[];
            readonly events: readonly components["schemas"]["EventLogEntryEvent"][];
            readonly eventType: string;
            /** Format: uuid */
            readonly id: string;
            readonly occurredAt: string | null;
            readonly payload: unknown;
            readonly provider: string;
            readonly rawBody: components["schemas"]["EventLogRawBody"];
            /** Format: date-time */
            readonly receivedAt: string;
            readonly replayCount: number;
            /** @enum {string} */
            readonly source: "webhook" | "api";
            /** @enum {string} */
            readonly status: "mapped" | "ignored" | "unresolved" | "unknown_type" | "invalid" | "failed" | "accepted";
            readonly statusReason: string | null;
            /** Format: date-time */
            readonly updatedAt: string;
        };
        readonly EventLogEntryEvent: {
            /**
             * @description Delivery to Kafka as the outbox knows it; unknown once the outbox row aged out (24 h).
             * @enum {string}
             */
            readonly delivery: "pending" | "published" | "unknown";
            /** Format: uuid */
            readonly eventId: string;
            readonly publishedAt: string | null;
            readonly subject: string;
            readonly topic: string;
            readonly type: string;
        };
        readonly EventLogPage: {
            readonly items: readonly components["schemas"]["EventLogEntry"][];
            readonly nextCursor: string | null;
        };
        /** @description Webhooks: the body the provider signed (payload is its parsed JSON). Null for internal events. */
        readonly EventLogRawBody: {
            /** @description The bytes of the request body exactly as received and verified. */
            readonly base64: string;
            /** @description The stored bytes still hash to sha256. */
            readonly intact: boolean;
            /** @description Hex SHA-256 of the bytes, the key they are stored under. */
            readonly sha256: string;
        } | null;
        /** @description RFC 9457 problem details. */
        readonly Problem: {
            /**
             * @description Stable code; clients and alerts key on it.
             * @enum {string}
             */
            readonly code: "API_KEY_EXPIRED" | "API_KEY_INVALID" | "API_KEY_MISSING" | "API_KEY_REVOKED" | "API_KEY_SCOPE_MISSING" | "EVENT_KEY_NOT_AGGREGATE_ID" | "EVENT_LOG_ENTRY_NOT_FOUND" | "IDEMPOTENCY_KEY_MISSING" | "IDEMPOTENCY_KEY_REUSED" | "INTERNAL" | "METHOD_NOT_ALLOWED" | "NOT_FOUND" | "RATE_LIMITED" | "REPLAY_RANGE_TOO_LARGE" | "REQUEST_BODY_DUPLICATE_KEY" | "REQUEST_BODY_FORBIDDEN_MEMBER" | "REQUEST_BODY_NOT_UTF8" | "REQUEST_BODY_TOO_LARGE" | "REQUEST_INVALID" | "REQUEST_MALFORMED" | "SCHEMA_VALIDATION_FAILED" | "SERVICE_UNAVAILABLE" | "UNKNOWN_EVENT_TYPE" | "UNSUPPORTED_MEDIA_TYPE" | "WEBHOOK_PAYLOAD_INVALID" | "WEBHOOK_PAYLOAD_MALFORMED" | "WEBHOOK_PROVIDER_NOT_CONFIGURED" | "WEBHOOK_PROVIDER_UNKNOWN" | "WEBHOOK_SIGNATURE_INVALID" | "WEBHOOK_SIGNATURE_MALFORMED" | "WEBHOOK_SIGNATURE_MISSING" | "WEBHOOK_SIGNATURE_STALE";
            readonly detail: string;
            /** @description The path of the request. */
            readonly instance?: string;
            readonly status: number;
            readonly title: string;
            /** @description urn:tributary:problem:<code> */
            readonly type: string;
        };
        readonly PublishedEvent: {
            /**
             * Format: uuid
             * @description ce_id of the event; the same for every retry with the same Idempotency-Key.
             */
            readonly eventId: string;
            /**
             * Format: uuid
             * @description Event log entry of the request.
             */
            readonly logId: string;
            readonly topic: string;
            readonly type: string;
        };
        readonly PublishEventRequest: {
            readonly causationId?: string;
            readonly correlationId?: string;
            /** @description The payload; must match the type's Avro schema. */
            readonly data: {
                readonly [key: string]: unknown;
            };
            /** @description ce_source. Default: /tributary/api/<client name>. */
            readonly source?: string;
            /** @description Aggregate id (Kafka key): the payload's key field for the topic, e.g. data.paymentId. Optional; another value is refused (EVENT_KEY_NOT_AGGREGATE_ID). */
            readonly subject?: string;
            /**
             * Format: date-time
             * @description ce_time (RFC 3339). Default: now.
             */
            readonly time?: string;
            /** @description W3C trace context; the traceparent header works too. */
            readonly traceparent?: string;
            /** @description Catalogue event type, e.g. payments.payment.requested. */
            readonly type: string;
        };
        readonly ReplayEntryRequest: {
            /** @description Why: recorded in the audit log. */
            readonly reason: string;
        };
        readonly ReplayRangeRequest: {
            /** Format: date-time */
            readonly from: string;
            readonly provider: string;
            /** @description Why: recorded in the audit log. */
            readonly reason: string;
            /** Format: date-time */
            readonly to: string;
        };
        readonly ReplayResult: {
            readonly entries: number;
            readonly eventIds: readonly string[];
            /** @description Entries that had produced nothing and map now. */
            readonly remapped: number;
            /**
             * Format: uuid
             * @description Also the tributary-replay-id header of every republished record.
             */
            readonly replayId: string;
            /** @description Entries whose events were sent again, with their original ce_id. */
            readonly republished: number;
            readonly skipped: number;
        };
        readonly WebhookEntry: {
            readonly dedupeKey: string;
            readonly duplicate: boolean;
            readonly eventIds: readonly string[];
            /**
             * Format: uuid
             * @description Event log entry.
             */
            readonly id: string;
            /** @enum {string} */
            readonly status: "mapped" | "ignored" | "unresolved" | "unknown_type" | "invalid" | "failed" | "accepted";
        };
        readonly WebhookResult: {
            readonly entries: readonly components["schemas"]["WebhookEntry"][];
            /** @enum {string} */
            readonly outcome: "accepted" | "duplicate";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    readonly listEventLog: {
        readonly parameters: {
            readonly query?: {
                /** @description nextCursor of the previous page. */
                readonly cursor?: string;
                /** @description Received at or after (RFC 3339). */
                readonly from?: string;
                readonly limit?: number;
                readonly provider?: string;
                readonly status?: "mapped" | "ignored" | "unresolved" | "unknown_type" | "invalid" | "failed" | "accepted";
                /** @description Received before (RFC 3339). */
                readonly to?: string;
                /** @description Provider event type, or catalogue type for provider api. */
                readonly type?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description A page of entries. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["EventLogPage"];
                };
            };
            /** @description Problem codes: API_KEY_EXPIRED, API_KEY_INVALID, API_KEY_MISSING, API_KEY_REVOKED. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_SCOPE_MISSING. */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_INVALID. */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readonly showEventLogEntry: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description Event log entry id. */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The entry. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["EventLogEntryDetail"];
                };
            };
            /** @description Problem codes: API_KEY_EXPIRED, API_KEY_INVALID, API_KEY_MISSING, API_KEY_REVOKED. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_SCOPE_MISSING. */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: EVENT_LOG_ENTRY_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readonly replayEventLogEntry: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description Event log entry id. */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReplayEntryRequest"];
            };
        };
        readonly responses: {
            /** @description Replayed. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ReplayResult"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_EXPIRED, API_KEY_INVALID, API_KEY_MISSING, API_KEY_REVOKED. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_SCOPE_MISSING. */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: EVENT_LOG_ENTRY_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_TOO_LARGE. */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: UNSUPPORTED_MEDIA_TYPE. */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_INVALID. */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readonly replayEventLogRange: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReplayRangeRequest"];
            };
        };
        readonly responses: {
            /** @description Replayed. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ReplayResult"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_EXPIRED, API_KEY_INVALID, API_KEY_MISSING, API_KEY_REVOKED. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_SCOPE_MISSING. */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_TOO_LARGE. */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: UNSUPPORTED_MEDIA_TYPE. */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REPLAY_RANGE_TOO_LARGE, REQUEST_INVALID. */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readonly publishEvent: {
        readonly parameters: {
            readonly query?: never;
            readonly header: {
                /** @description 1-255 printable ASCII characters, e.g. a UUID; scoped to the client name. */
                readonly "idempotency-key": string;
                /** @description W3C trace context, unless the body gives one. */
                readonly traceparent?: string;
            };
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["PublishEventRequest"];
            };
        };
        readonly responses: {
            /** @description Accepted; the same answer for a retry. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PublishedEvent"];
                };
            };
            /** @description Problem codes: IDEMPOTENCY_KEY_MISSING, REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_EXPIRED, API_KEY_INVALID, API_KEY_MISSING, API_KEY_REVOKED. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: API_KEY_SCOPE_MISSING. */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_TOO_LARGE. */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: UNSUPPORTED_MEDIA_TYPE. */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: EVENT_KEY_NOT_AGGREGATE_ID, IDEMPOTENCY_KEY_REUSED, REQUEST_INVALID, SCHEMA_VALIDATION_FAILED, UNKNOWN_EVENT_TYPE. */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readonly receiveWebhook: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description A coded provider (easypost, github, hubspot, stripe) or a configured source. */
                readonly provider: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": {
                    readonly [key: string]: unknown;
                } | readonly unknown[];
            };
        };
        readonly responses: {
            /** @description Duplicate: every event was received before; nothing published. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["WebhookResult"];
                };
            };
            /** @description Stored in the event log; mapped events are in the outbox. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["WebhookResult"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED, WEBHOOK_PAYLOAD_MALFORMED. */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: WEBHOOK_SIGNATURE_INVALID, WEBHOOK_SIGNATURE_MALFORMED, WEBHOOK_SIGNATURE_MISSING, WEBHOOK_SIGNATURE_STALE. */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: WEBHOOK_PROVIDER_NOT_CONFIGURED, WEBHOOK_PROVIDER_UNKNOWN. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: REQUEST_BODY_TOO_LARGE. */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: UNSUPPORTED_MEDIA_TYPE. */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: WEBHOOK_PAYLOAD_INVALID. */
            readonly 422: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again, in this replica. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w), per replica: with N replicas behind the load balancer, up to N × q requests are admitted per window. */
                    readonly "RateLimit-Policy": string;
                    /** @description Seconds to wait. */
                    readonly "Retry-After": number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: INTERNAL. */
            readonly 500: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: SERVICE_UNAVAILABLE. */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
