// Generated from apps/reconciliation/openapi.json by `npm run generate -w @tributary/cli`; do not edit.
export interface paths {
    readonly "/v1/findings": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Findings, newest first */
        readonly get: operations["listFindings"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/findings/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One finding */
        readonly get: operations["showFinding"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/findings/{id}/approve": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Repair a finding with the owner's value
         * @description Emits the corrective event (once per object and owner version); audited with the reason.
         */
        readonly post: operations["approveFinding"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/findings/{id}/dismiss": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Dismiss a finding */
        readonly post: operations["dismissFinding"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/provider-changes": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Provider changes, newest first
         * @description What providers send that differs from what was known of the endpoint, in the order the changes were found, newest first: a change seen again keeps its place.
         */
        readonly get: operations["listProviderChanges"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/provider-changes/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One provider change */
        readonly get: operations["showProviderChange"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/provider-changes/{id}/acknowledge": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Acknowledge a provider change
         * @description Marks the change as seen and handled; audited with the reason.
         */
        readonly post: operations["acknowledgeProviderChange"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/provider-shapes": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Known shapes of provider responses and webhooks
         * @description Ordered by provider, surface, endpoint, status and firstSeenAt.
         */
        readonly get: operations["listProviderShapes"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/runs": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Runs, newest first */
        readonly get: operations["listRuns"];
        readonly put?: never;
        /**
         * Start a run
         * @description Asks the owner for its first page at once; the run goes on page by page, checkpointed after each.
         */
        readonly post: operations["startRun"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/runs/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One run */
        readonly get: operations["showRun"];
        readonly put?: never;
        readonly post?: never;
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
        readonly Finding: {
            /** @enum {string} */
            readonly class: "missing_locally" | "missing_at_owner" | "stale_locally" | "stale_at_owner" | "ahead_locally" | "conflict" | "duplicate_link" | "unverifiable";
            readonly decidedBy: string | null;
            readonly decidedReason: string | null;
            /** @enum {string} */
            readonly decision: "repair_pending" | "repaired" | "dry_run" | "suppressed" | "pending_approval" | "awaiting_second_sighting" | "not_repairable" | "approved" | "dismissed" | "none";
            readonly diffs: readonly {
                readonly field: string;
                readonly local: string | null;
                readonly owner: string | null;
            }[];
            /** @enum {string} */
            readonly entity: "payment" | "contact" | "shipment";
            /** @description Our id of the object (external:<id> when no platform id names it). */
            readonly entityId: string;
            readonly externalId: string | null;
            /** Format: uuid */
            readonly firstRunId: string;
            /** Format: date-time */
            readonly firstSeenAt: string;
            /** Format: uuid */
            readonly id: string;
            /** Format: uuid */
            readonly lastRunId: string;
            /** Format: date-time */
            readonly lastSeenAt: string;
            /** @description The platform's copy of the owned fields. */
            readonly local: {
                readonly [key: string]: string | null;
            } | null;
            /** @description The owner's copy of the owned fields. */
            readonly owner: {
                readonly [key: string]: string | null;
            } | null;
            readonly ownerVersion: string | null;
            readonly repairEventId: string | null;
            /** @description Runs that found it. */
            readonly seenCount: number;
            /** @enum {string} */
            readonly status: "open" | "resolved" | "dismissed";
        };
        readonly FindingDecisionRequest: {
            readonly reason: string;
        };
        readonly FindingPage: {
            readonly items: readonly components["schemas"]["Finding"][];
            readonly nextCursor: string | null;
        };
        /** @description RFC 9457 problem details. */
        readonly Problem: {
            /**
             * @description Stable code; clients and alerts key on it.
             * @enum {string}
             */
            readonly code: "API_KEY_EXPIRED" | "API_KEY_INVALID" | "API_KEY_MISSING" | "API_KEY_REVOKED" | "API_KEY_SCOPE_MISSING" | "INTERNAL" | "METHOD_NOT_ALLOWED" | "NOT_FOUND" | "RATE_LIMITED" | "RECONCILIATION_CURSOR_INVALID" | "RECONCILIATION_FINDING_NOT_FOUND" | "RECONCILIATION_FINDING_NOT_REPAIRABLE" | "RECONCILIATION_FINDING_STATE_CONFLICT" | "RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED" | "RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND" | "RECONCILIATION_RUN_ALREADY_RUNNING" | "RECONCILIATION_RUN_NOT_FOUND" | "REQUEST_BODY_DUPLICATE_KEY" | "REQUEST_BODY_FORBIDDEN_MEMBER" | "REQUEST_BODY_NOT_UTF8" | "REQUEST_BODY_TOO_LARGE" | "REQUEST_INVALID" | "REQUEST_MALFORMED" | "SERVICE_UNAVAILABLE" | "UNSUPPORTED_MEDIA_TYPE";
            readonly detail: string;
            /** @description The path of the request. */
            readonly instance?: string;
            readonly status: number;
            readonly title: string;
            /** @description urn:tributary:problem:<code> */
            readonly type: string;
        };
        readonly ProviderChange: {
            readonly acknowledgedAt: string | null;
            readonly acknowledgedBy: string | null;
            readonly acknowledgedReason: string | null;
            /** @description The connector operation (payment_intents.create) or the provider's webhook event type. */
            readonly endpoint: string;
            /** @description JSON of the shape that showed it, personal data replaced by [REDACTED]. */
            readonly example: string | null;
            /** Format: date-time */
            readonly firstSeenAt: string;
            /** Format: uuid */
            readonly id: string;
            /** @enum {string} */
            readonly kind: "field_added" | "field_missing" | "type_changed" | "enum_value_added" | "status_added";
            /** Format: date-time */
            readonly lastSeenAt: string;
            readonly message: string;
            /** @description The app that saw it (connector-payments, ingestion). */
            readonly observer: string;
            /** @description Windows that showed it. */
            readonly occurrences: number;
            /** @description Where in the document, $.a.b[] style; null when the change is not at a path (a new status). */
            readonly path: string | null;
            /** @description What was known before, when the change replaced something. */
            readonly previous: string | null;
            readonly provider: string;
            /**
             * @description error: the change touches a field the connector's code relies on (see usedBy).
             * @enum {string}
             */
            readonly severity: "info" | "warning" | "error";
            /** @description The shape that showed the change. */
            readonly shapeHash: string;
            /** @description The HTTP status of the response shape; null for a webhook. */
            readonly status: number | null;
            /** @enum {string} */
            readonly surface: "response" | "webhook";
            /** @description The code that relies on the path, for an error. */
            readonly usedBy: string | null;
            /** @description What is new: the type, enum value or status seen. */
            readonly value: string | null;
        };
        readonly ProviderChangeAcknowledgeRequest: {
            readonly reason: string;
        };
        readonly ProviderChangePage: {
            readonly items: readonly components["schemas"]["ProviderChange"][];
            readonly nextCursor: string | null;
        };
        readonly ProviderShape: {
            /** @description The connector operation (payment_intents.create) or the provider's webhook event type. */
            readonly endpoint: string;
            readonly enums: readonly {
                readonly path: string;
                readonly value: string;
            }[];
            /** @description JSON of its first sample, personal data replaced by [REDACTED]. */
            readonly example: string;
            readonly fields: readonly {
                readonly path: string;
                /** @enum {string} */
                readonly type: "string" | "number" | "boolean" | "null" | "object" | "array";
            }[];
            /** Format: date-time */
            readonly firstSeenAt: string;
            /** @description Same fields, types, enum values and status: same hash. */
            readonly hash: string;
            /** Format: date-time */
            readonly lastSeenAt: string;
            readonly provider: string;
            /** @description Samples of this shape seen so far. */
            readonly samples: number;
            /** @description The HTTP status of the response shape; null for a webhook. */
            readonly status: number | null;
            /** @enum {string} */
            readonly surface: "response" | "webhook";
        };
        readonly ProviderShapeList: {
            readonly items: readonly components["schemas"]["ProviderShape"][];
        };
        readonly Run: {
            readonly compared: number;
            /** @description Objects changed during their read or within the settle window. */
            readonly deferred: number;
            /** @description Reports only; nothing is repaired. */
            readonly dryRun: boolean;
            /** @enum {string} */
            readonly entity: "payment" | "contact" | "shipment";
            readonly error: string | null;
            readonly finishedAt: string | null;
            /** Format: uuid */
            readonly id: string;
            readonly ids: readonly string[];
            readonly mismatches: number;
            /** @enum {string} */
            readonly mode: "incremental" | "full" | "ids";
            /** @description Pages handled so far. */
            readonly pages: number;
            /** @description The owner the run read, e.g. stripe. */
            readonly provider: string;
            readonly repairsDryRun: number;
            readonly repairsEmitted: number;
            readonly repairsSuppressed: number;
            readonly requestedBy: string;
            /** Format: date-time */
            readonly startedAt: string;
            /** @enum {string} */
            readonly status: "running" | "succeeded" | "failed" | "guardrail_tripped" | "cancelled";
            /** @enum {string} */
            readonly trigger: "schedule" | "api";
            /** @description Page reads that failed (asked again; never mismatches). */
            readonly unverifiable: number;
            readonly windowFrom: string | null;
            readonly windowTo: string | null;
        };
        readonly RunPage: {
            readonly items: readonly components["schemas"]["Run"][];
            readonly nextCursor: string | null;
        };
        readonly StartRunRequest: {
            /** @description Report only. Default: the entity's repair setting. */
            readonly dryRun?: boolean;
            /** @enum {string} */
            readonly entity: "payment" | "contact" | "shipment";
            /**
             * Format: date-time
             * @description incremental: owner changes from (inclusive).
             */
            readonly from?: string;
            /** @description ids: our ids of the objects. */
            readonly ids?: readonly string[];
            /**
             * @default incremental
             * @enum {string}
             */
            readonly mode: "incremental" | "full" | "ids";
            readonly reason?: string;
            /**
             * Format: date-time
             * @description incremental: owner changes to (inclusive).
             */
            readonly to?: string;
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
    readonly listFindings: {
        readonly parameters: {
            readonly query?: {
                readonly class?: "missing_locally" | "missing_at_owner" | "stale_locally" | "stale_at_owner" | "ahead_locally" | "conflict" | "duplicate_link" | "unverifiable";
                /** @description nextCursor of the previous page. */
                readonly cursor?: string;
                readonly decision?: "repair_pending" | "repaired" | "dry_run" | "suppressed" | "pending_approval" | "awaiting_second_sighting" | "not_repairable" | "approved" | "dismissed" | "none";
                readonly entity?: "payment" | "contact" | "shipment";
                readonly limit?: number;
                readonly runId?: string;
                readonly status?: "open" | "resolved" | "dismissed";
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
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["FindingPage"];
                };
            };
            /** @description Problem codes: RECONCILIATION_CURSOR_INVALID. */
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
    readonly showFinding: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The finding. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Finding"];
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
            /** @description Problem codes: RECONCILIATION_FINDING_NOT_FOUND. */
            readonly 404: {
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
    readonly approveFinding: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FindingDecisionRequest"];
            };
        };
        readonly responses: {
            /** @description Repaired. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Finding"];
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
            /** @description Problem codes: RECONCILIATION_FINDING_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RECONCILIATION_FINDING_STATE_CONFLICT. */
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
            /** @description Problem codes: RECONCILIATION_FINDING_NOT_REPAIRABLE, REQUEST_INVALID. */
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
    readonly dismissFinding: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FindingDecisionRequest"];
            };
        };
        readonly responses: {
            /** @description Dismissed. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Finding"];
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
            /** @description Problem codes: RECONCILIATION_FINDING_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RECONCILIATION_FINDING_STATE_CONFLICT. */
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
    readonly listProviderChanges: {
        readonly parameters: {
            readonly query?: {
                /** @description nextCursor of the previous page. */
                readonly cursor?: string;
                readonly endpoint?: string;
                readonly kind?: "field_added" | "field_missing" | "type_changed" | "enum_value_added" | "status_added";
                readonly limit?: number;
                readonly provider?: string;
                readonly severity?: "info" | "warning" | "error";
                /** @description Both when absent. */
                readonly status?: "open" | "acknowledged";
                readonly surface?: "response" | "webhook";
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
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ProviderChangePage"];
                };
            };
            /** @description Problem codes: RECONCILIATION_CURSOR_INVALID. */
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
    readonly showProviderChange: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The change. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ProviderChange"];
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
            /** @description Problem codes: RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND. */
            readonly 404: {
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
    readonly acknowledgeProviderChange: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ProviderChangeAcknowledgeRequest"];
            };
        };
        readonly responses: {
            /** @description Acknowledged. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ProviderChange"];
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
            /** @description Problem codes: RECONCILIATION_PROVIDER_CHANGE_NOT_FOUND. */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Problem codes: RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED. */
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
    readonly listProviderShapes: {
        readonly parameters: {
            readonly query?: {
                readonly endpoint?: string;
                readonly limit?: number;
                readonly provider?: string;
                readonly surface?: "response" | "webhook";
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The shapes. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ProviderShapeList"];
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
    readonly listRuns: {
        readonly parameters: {
            readonly query?: {
                /** @description nextCursor of the previous page. */
                readonly cursor?: string;
                readonly entity?: "payment" | "contact" | "shipment";
                readonly limit?: number;
                readonly status?: "running" | "succeeded" | "failed" | "guardrail_tripped" | "cancelled";
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
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["RunPage"];
                };
            };
            /** @description Problem codes: RECONCILIATION_CURSOR_INVALID. */
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
    readonly startRun: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["StartRunRequest"];
            };
        };
        readonly responses: {
            /** @description Started. */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Run"];
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
            /** @description Problem codes: RECONCILIATION_RUN_ALREADY_RUNNING. */
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
    readonly showRun: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description The run. */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Run"];
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
            /** @description Problem codes: RECONCILIATION_RUN_NOT_FOUND. */
            readonly 404: {
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
