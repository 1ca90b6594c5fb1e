// HTTP contracts, framework-free: routes declared once with zod schemas, parsed, checked and rendered as
// OpenAPI. The Nest decorators that route them are in `@tributary/service-kit/nest`.
export { defaultStatus, defineRoute, routerPath } from './route.js';
export type { HttpMethod, ResponseBody, ResponseSpec, RouteContract, RouteInput } from './route.js';
export { checkResponse, parseRouteInput } from './route-input.js';
export type { RawRequest } from './route-input.js';
export { openApiDocument, problemsByStatus, renderOpenApi } from './openapi-document.js';
export { renderDocsPage } from './docs-page.js';
export { rateLimitHeaders, rateLimitedHeaders } from './rate-limit-headers.js';
export type { OpenApiOptions } from './openapi-document.js';
export { firstInvalidUtf8, jsonBodyProblem, parseStrictJson } from './strict-json.js';
export { JsonBodyError, JsonBodyErrorCode, isJsonBodyError } from './errors.js';
export { checkDeprecation, deprecationHeaders, deprecationNote, deprecationProblems } from './deprecation.js';
export type { RouteDeprecation } from './deprecation.js';
