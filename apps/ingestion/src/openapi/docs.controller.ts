import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument, renderOpenApi } from './openapi.document.js';

/** `GET /docs/openapi.json` (the document) and `GET /docs` (a page listing the operations). */
@Controller('docs')
export class DocsController {
  private readonly document = renderOpenApi();

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openApi(): string {
    return this.document;
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    const paths = openApiDocument().paths as Record<string, Record<string, { summary?: string }>>;
    const rows = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(
        ([method, operation]) =>
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(operation.summary ?? '')}</td></tr>`,
      ),
    );
    return `<!doctype html><html><head><meta charset="utf-8"><title>Tributary ingestion API</title></head><body>
<h1>Tributary ingestion API</h1><p>OpenAPI 3.1: <a href="/docs/openapi.json">/docs/openapi.json</a></p>
<table>${rows.join('')}</table></body></html>`;
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
