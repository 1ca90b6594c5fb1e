import { Controller, Get, Header } from '@nestjs/common';
import { renderOpenApi } from './openapi.document.js';

/** `GET /docs/openapi.json`: the same document as the committed openapi.json. */
@Controller('docs')
export class DocsController {
  private readonly document = renderOpenApi();

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openApi(): string {
    return this.document;
  }
}
