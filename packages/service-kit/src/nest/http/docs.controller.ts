import { Controller, Get, Header, Inject } from '@nestjs/common';

export const OPENAPI_TEXT = Symbol('tributary:openapi-text');
export const DOCS_PAGE_HTML = Symbol('tributary:docs-page-html');

/** `GET /docs/openapi.json`: the same document as the service's committed openapi.json. */
@Controller('docs')
export class DocsController {
  constructor(@Inject(OPENAPI_TEXT) private readonly document: string) {}

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openApi(): string {
    return this.document;
  }
}

/** `GET /docs`: the operations of the same document as an HTML table (ServiceModule option `docsPage`). */
@Controller('docs')
export class DocsPageController {
  constructor(@Inject(DOCS_PAGE_HTML) private readonly page: string) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    return this.page;
  }
}
