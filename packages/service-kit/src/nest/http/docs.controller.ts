import { Controller, Get, Header, Inject } from '@nestjs/common';

export const OPENAPI_TEXT = Symbol('tributary:openapi-text');

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
