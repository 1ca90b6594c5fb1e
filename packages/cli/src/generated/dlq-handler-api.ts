// Generated from apps/dlq-handler/openapi.json by `npm run generate -w @tributary/cli`; do not edit.
export interface paths {
    readonly "/v1/dead-letters": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** List dead letters, newest first */
        readonly get: operations["listDeadLetters"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Show one dead letter: headers, raw and decoded value, stack */
        readonly get: operations["showDeadLetter"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/{id}/discard": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Discard one dead letter (pending, or replaying or replay_stalled and already sent) */
        readonly post: operations["discardDeadLetter"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/{id}/replay": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Replay one dead letter */
        readonly post: operations["replayDeadLetter"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/counts": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Count dead letters by error code (and status, group) */
        readonly get: operations["countDeadLetters"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/discard": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Discard dead letters (ids or filter) with a reason: pending ones, and replaying or replay_stalled ones already sent; other ids are skipped with why */
        readonly post: operations["discardDeadLetters"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/dead-letters/replay": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Replay dead letters (ids or filter) into their group's first retry tier */
        readonly post: operations["replayDeadLetters"];
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
        readonly DeadLetter: {
            /** @description Delivery attempts that failed, over all replays. */
            readonly attempts: number;
            readonly consumerGroup: string;
            /** @description Times the record reached the DLQ. */
            readonly deadLetteredCount: number;
            readonly discardedAt: string | null;
            readonly discardedBy: string | null;
            readonly dlq: {
                readonly offset: string;
                readonly partition: number;
                readonly topic: string;
            };
            readonly errorClass: string | null;
            readonly errorCode: string;
            readonly errorMessage: string | null;
            readonly errorStack: string | null;
            readonly eventId: string | null;
            readonly eventType: string | null;
            /** Format: date-time */
            readonly firstFailedAt: string;
            readonly headers: readonly {
                /**
                 * @description base64 when the bytes are not UTF-8.
                 * @enum {string}
                 */
                readonly encoding: "utf8" | "base64";
                readonly name: string;
                readonly value: string;
            }[];
            /** Format: uuid */
            readonly id: string;
            readonly key: {
                readonly base64: string;
                readonly text: string | null;
            } | null;
            /** Format: date-time */
            readonly lastFailedAt: string;
            readonly originalOffset: string;
            readonly originalPartition: number;
            readonly originalTimestamp: string | null;
            readonly originalTopic: string;
            /** @description Set once retention removed the payload of this closed dead letter (key, value, headers, error message and stack: null or empty since); it can no longer be replayed (410 DEAD_LETTER_PAYLOAD_SCRUBBED). */
            readonly payloadScrubbed: {
                /** Format: date-time */
                readonly at: string;
                readonly reason: string;
            } | null;
            readonly replayCount: number;
            readonly replayedAt: string | null;
            /** @description Why the last replay could not be sent (e.g. REPLAY_TARGET_MISSING); cleared by the next request. */
            readonly replayError: {
                /** Format: date-time */
                readonly at: string;
                readonly code: string;
                readonly message: string;
            } | null;
            readonly replayRequestedAt: string | null;
            readonly replayRequestedBy: string | null;
            /** @description When the last sent replay was flagged replay_stalled: no outcome within REPLAY_STALL_AFTER_MS. */
            readonly replayStalledAt: string | null;
            /** @description The retry tier replays of this dead letter go to: named by the DLQ record, else fixed at the first replay request. Never changed to another tier. */
            readonly replayTopic: string | null;
            readonly resolvedAt: string | null;
            /** @enum {string} */
            readonly status: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
            readonly statusReason: string | null;
            readonly value: {
                readonly base64: string;
                /** @description The value as JSON, decoded with its writer schema. */
                readonly decoded: unknown;
                readonly decodeError: string | null;
                /** @enum {string} */
                readonly format: "avro" | "json" | "none";
                readonly schemaId: number | null;
            } | null;
        };
        readonly DeadLetterCounts: {
            /** @description Largest first. */
            readonly byErrorCode: readonly {
                readonly byStatus: {
                    readonly [key: string]: number;
                };
                readonly errorCode: string;
                readonly total: number;
            }[];
            /** @description By error code, status and consumer group. */
            readonly rows: readonly {
                readonly consumerGroup: string;
                readonly count: number;
                readonly errorCode: string;
                /** @enum {string} */
                readonly status: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
            }[];
            readonly total: number;
        };
        readonly DeadLetterPage: {
            readonly items: readonly components["schemas"]["DeadLetterSummary"][];
            /** @description Pass as cursor for the next page; null on the last one. */
            readonly nextCursor: string | null;
        };
        readonly DeadLetterSummary: {
            /** @description Delivery attempts that failed, over all replays. */
            readonly attempts: number;
            readonly consumerGroup: string;
            /** @description Times the record reached the DLQ. */
            readonly deadLetteredCount: number;
            readonly errorClass: string | null;
            readonly errorCode: string;
            readonly errorMessage: string | null;
            readonly eventId: string | null;
            readonly eventType: string | null;
            /** Format: date-time */
            readonly firstFailedAt: string;
            /** Format: uuid */
            readonly id: string;
            /** Format: date-time */
            readonly lastFailedAt: string;
            readonly originalOffset: string;
            readonly originalPartition: number;
            readonly originalTopic: string;
            readonly replayCount: number;
            /** @enum {string} */
            readonly status: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
        };
        readonly Discarded: {
            /** @description The audit log entry of the request. */
            readonly auditId: string;
            readonly discarded: number;
            /** @description The dead letters the action changed. */
            readonly ids: readonly string[];
            /** @description Ids named in the request that the action left as they were, and why. */
            readonly skipped: readonly components["schemas"]["Skipped"][];
        };
        readonly Filter: {
            /** @description Stable error code (tributary-error-code). */
            readonly errorCode?: string;
            /** @description CloudEvents type (ce_type). */
            readonly eventType?: string;
            /**
             * Format: date-time
             * @description Last failed at or after (RFC 3339).
             */
            readonly from?: string;
            /** @description Consumer group whose DLQ the record came from. */
            readonly group?: string;
            /** @description Provider whose connector failed: the records of consumer group connector-<provider>. */
            readonly provider?: string;
            /**
             * @description true: accepted for replay and not yet sent; false: not waiting to be sent.
             * @enum {string}
             */
            readonly replayQueued?: "true" | "false";
            /** @enum {string} */
            readonly status?: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
            /**
             * Format: date-time
             * @description Last failed before (RFC 3339).
             */
            readonly to?: string;
            /** @description Topic the record first failed on. */
            readonly topic?: string;
        };
        /** @description RFC 9457 problem details. */
        readonly Problem: {
            /**
             * @description Stable code; clients and alerts key on it.
             * @enum {string}
             */
            readonly code: "API_KEY_EXPIRED" | "API_KEY_INVALID" | "API_KEY_MISSING" | "API_KEY_REVOKED" | "API_KEY_SCOPE_MISSING" | "DEAD_LETTER_NOT_FOUND" | "DEAD_LETTER_PAYLOAD_SCRUBBED" | "DEAD_LETTER_STATE_CONFLICT" | "DLQ_CURSOR_INVALID" | "DLQ_FILTER_INVALID" | "DLQ_REQUEST_INVALID" | "DLQ_SELECTION_TOO_LARGE" | "INTERNAL" | "METHOD_NOT_ALLOWED" | "NOT_FOUND" | "RATE_LIMITED" | "REPLAY_TARGET_MISSING" | "REQUEST_BODY_DUPLICATE_KEY" | "REQUEST_BODY_FORBIDDEN_MEMBER" | "REQUEST_BODY_NOT_UTF8" | "REQUEST_BODY_TOO_LARGE" | "REQUEST_INVALID" | "REQUEST_MALFORMED" | "SERVICE_UNAVAILABLE" | "UNSUPPORTED_MEDIA_TYPE";
            readonly detail: string;
            /** @description The path of the request. */
            readonly instance?: string;
            readonly status: number;
            readonly title: string;
            /** @description urn:tributary:problem:<code> */
            readonly type: string;
        };
        readonly Reason: {
            readonly reason: string;
        };
        readonly ReplayAccepted: {
            readonly accepted: number;
            /** @description The audit log entry of the request. */
            readonly auditId: string;
            /** @description The dead letters the action changed. */
            readonly ids: readonly string[];
            /** @description Ids named in the request that the action left as they were, and why. */
            readonly skipped: readonly components["schemas"]["Skipped"][];
        };
        readonly Selection: {
            readonly filter?: components["schemas"]["Filter"];
            readonly ids?: readonly string[];
            readonly reason: string;
        };
        readonly Skipped: {
            /**
             * @description What the single-id route would answer for this id.
             * @enum {string}
             */
            readonly code: "DEAD_LETTER_NOT_FOUND" | "DEAD_LETTER_STATE_CONFLICT" | "DEAD_LETTER_PAYLOAD_SCRUBBED";
            readonly id: string;
            readonly reason: string;
            /** @enum {string} */
            readonly status: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded" | "missing";
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
    readonly listDeadLetters: {
        readonly parameters: {
            readonly query?: {
                /** @description nextCursor of the previous page. */
                readonly cursor?: string;
                /** @description Stable error code (tributary-error-code). */
                readonly errorCode?: string;
                /** @description CloudEvents type (ce_type). */
                readonly eventType?: string;
                /** @description Last failed at or after (RFC 3339). */
                readonly from?: string;
                /** @description Consumer group whose DLQ the record came from. */
                readonly group?: string;
                readonly limit?: number;
                /** @description Provider whose connector failed: the records of consumer group connector-<provider>. */
                readonly provider?: string;
                /** @description true: accepted for replay and not yet sent; false: not waiting to be sent. */
                readonly replayQueued?: "true" | "false";
                readonly status?: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
                /** @description Last failed before (RFC 3339). */
                readonly to?: string;
                /** @description Topic the record first failed on. */
                readonly topic?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description A page. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DeadLetterPage"];
                };
            };
            /** @description Problem codes: DLQ_CURSOR_INVALID, DLQ_FILTER_INVALID. */
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
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly showDeadLetter: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description A dead-letter id; anything but a UUID is answered 400 DLQ_REQUEST_INVALID. */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The dead letter. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DeadLetter"];
                };
            };
            /** @description Problem codes: DLQ_REQUEST_INVALID. */
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
            /** @description Problem codes: DEAD_LETTER_NOT_FOUND. */
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
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly discardDeadLetter: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description A dead-letter id; anything but a UUID is answered 400 DLQ_REQUEST_INVALID. */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["Reason"];
            };
        };
        readonly responses: {
            /** @description Discarded. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Discarded"];
                };
            };
            /** @description Problem codes: DLQ_REQUEST_INVALID, REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
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
            /** @description Problem codes: DEAD_LETTER_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: DEAD_LETTER_STATE_CONFLICT. */
            readonly 409: {
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
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly replayDeadLetter: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description A dead-letter id; anything but a UUID is answered 400 DLQ_REQUEST_INVALID. */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["Reason"];
            };
        };
        readonly responses: {
            /** @description Accepted: sent at the replay rate to the retry tier each dead letter names (replayTopic). Pending, replaying (sent, no outcome) and replay_stalled dead letters are replayed; ids that are not are listed under skipped. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ReplayAccepted"];
                };
            };
            /** @description Problem codes: DLQ_REQUEST_INVALID, REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
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
            /** @description Problem codes: DEAD_LETTER_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: DEAD_LETTER_STATE_CONFLICT, REPLAY_TARGET_MISSING. */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: DEAD_LETTER_PAYLOAD_SCRUBBED. */
            readonly 410: {
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
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly countDeadLetters: {
        readonly parameters: {
            readonly query?: {
                /** @description Stable error code (tributary-error-code). */
                readonly errorCode?: string;
                /** @description CloudEvents type (ce_type). */
                readonly eventType?: string;
                /** @description Last failed at or after (RFC 3339). */
                readonly from?: string;
                /** @description Consumer group whose DLQ the record came from. */
                readonly group?: string;
                /** @description Provider whose connector failed: the records of consumer group connector-<provider>. */
                readonly provider?: string;
                /** @description true: accepted for replay and not yet sent; false: not waiting to be sent. */
                readonly replayQueued?: "true" | "false";
                readonly status?: "pending" | "replaying" | "replay_stalled" | "resolved" | "discarded";
                /** @description Last failed before (RFC 3339). */
                readonly to?: string;
                /** @description Topic the record first failed on. */
                readonly topic?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Counts. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DeadLetterCounts"];
                };
            };
            /** @description Problem codes: DLQ_FILTER_INVALID. */
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
            /** @description Problem codes: RATE_LIMITED. */
            readonly 429: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly discardDeadLetters: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["Selection"];
            };
        };
        readonly responses: {
            /** @description Discarded. */
            readonly 200: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Discarded"];
                };
            };
            /** @description Problem codes: DLQ_FILTER_INVALID, DLQ_REQUEST_INVALID, REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
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
            /** @description Problem codes: DLQ_SELECTION_TOO_LARGE. */
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
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
    readonly replayDeadLetters: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["Selection"];
            };
        };
        readonly responses: {
            /** @description Accepted: sent at the replay rate to the retry tier each dead letter names (replayTopic). Pending, replaying (sent, no outcome) and replay_stalled dead letters are replayed; ids that are not are listed under skipped. */
            readonly 202: {
                headers: {
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
                    readonly "RateLimit-Policy": string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ReplayAccepted"];
                };
            };
            /** @description Problem codes: DLQ_FILTER_INVALID, DLQ_REQUEST_INVALID, REQUEST_BODY_DUPLICATE_KEY, REQUEST_BODY_FORBIDDEN_MEMBER, REQUEST_BODY_NOT_UTF8, REQUEST_MALFORMED. */
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
            /** @description Problem codes: REPLAY_TARGET_MISSING. */
            readonly 409: {
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
            /** @description Problem codes: DLQ_SELECTION_TOO_LARGE. */
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
                    /** @description Requests left (r) and seconds (t) until the bucket is full again. */
                    readonly RateLimit: string;
                    /** @description Bucket size (q) and refill window in seconds (w). */
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
