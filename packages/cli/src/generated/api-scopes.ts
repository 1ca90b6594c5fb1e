// Generated from apps/ingestion, apps/dlq-handler, apps/reconciliation/openapi.json by `npm run generate -w @tributary/cli`; do not edit.
export const apiScopes = {
  'ingestion': ['events:publish', 'events:read', 'events:replay'],
  'dlq-handler': ['dlq:discard', 'dlq:read', 'dlq:replay'],
  'reconciliation': ['reconciliation:acknowledge', 'reconciliation:read', 'reconciliation:repair', 'reconciliation:run'],
} as const;

export type ApiService = keyof typeof apiScopes;
