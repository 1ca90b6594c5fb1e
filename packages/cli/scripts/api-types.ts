// The CLI's view of the services' HTTP APIs, generated from their committed OpenAPI documents
// (apps/<service>/openapi.json, themselves generated from the route contracts): the request and answer
// types of every route (openapi-typescript) and the API-key scopes each service knows. Nothing here is
// written by hand, so the CLI cannot drift from what the services serve.
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';

/** The services the CLI talks to, by the folder of their app. */
export const CLI_SERVICES = ['ingestion', 'dlq-handler', 'reconciliation'] as const;

const header = (service: string) =>
  `// Generated from apps/${service}/openapi.json by \`npm run generate -w @tributary/cli\`; do not edit.\n`;

export function documentOf(service: string): Record<string, unknown> {
  const url = new URL(`../../../apps/${service}/openapi.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

/** `src/generated/<service>-api.ts`: `paths`, `components` and `operations` types. */
export async function renderApiTypes(service: string): Promise<string> {
  const ast = await openapiTS(documentOf(service) as never, { immutable: true, alphabetize: true });
  return `${header(service)}${astToString(ast)}`;
}

/** `src/generated/api-scopes.ts`: every scope each service's routes ask for. */
export function renderScopes(): string {
  const lines = CLI_SERVICES.map((service) => {
    const paths = (documentOf(service).paths ?? {}) as Record<string, Record<string, { security?: unknown }>>;
    const scopes = new Set<string>();
    for (const operations of Object.values(paths))
      for (const operation of Object.values(operations))
        for (const requirement of (operation.security ?? []) as Array<Record<string, string[]>>)
          for (const scope of Object.values(requirement).flat()) scopes.add(scope);
    return `  '${service}': [${[...scopes]
      .sort()
      .map((s) => `'${s}'`)
      .join(', ')}],`;
  });
  return `${header(CLI_SERVICES.join(', apps/'))}export const apiScopes = {\n${lines.join('\n')}\n} as const;\n\nexport type ApiService = keyof typeof apiScopes;\n`;
}
