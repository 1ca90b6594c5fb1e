/**
 * `GET /docs`: the operations of an OpenAPI document as a plain HTML table with a link to the document,
 * for a person with a browser and no OpenAPI viewer. Every text is escaped: summaries are the service's,
 * but nothing in a page should be trusted to be markup.
 */
export function renderDocsPage(document: Record<string, unknown>): string {
  const info = (document['info'] ?? {}) as { title?: string; version?: string };
  const title = escape(`${info.title ?? 'API'} ${info.version ?? ''}`.trim());
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, { summary?: string }>>;
  const rows = Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(
      ([method, operation]) =>
        `<tr><td><code>${escape(method.toUpperCase())}</code></td><td><code>${escape(path)}</code></td><td>${escape(operation.summary ?? '')}</td></tr>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<h1>${title}</h1><p>OpenAPI 3.1: <a href="/docs/openapi.json">/docs/openapi.json</a></p>
<table>${rows.join('')}</table></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
