/** What an ingestion API key may do: each route asks for one scope, a key holds the ones it was issued with. */
export const API_KEY_SCOPES = ['events:publish', 'events:read', 'events:replay'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
