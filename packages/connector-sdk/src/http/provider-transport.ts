import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { activeTraceparent, metrics, withSpan } from '@tributary/observability';
import { Pool } from 'undici';
import { ConnectorErrorCode } from '../errors.js';
import type { HeaderBag } from './rate-limit-headers.js';
import { providerError } from './provider-request.js';
import type { ProviderRequest, ProviderResponse } from './provider-request.js';

export interface ProviderTransportOptions {
  readonly provider: string;
  readonly baseUrl: string;
  readonly connections: number;
  /** Per attempt, until the whole response body is read. */
  readonly timeoutMs: number;
  readonly defaultHeaders?: Record<string, string>;
  readonly idempotencyHeader: string;
}

/**
 * One attempt of a call on the wire: the request encoded with the idempotency key in the provider's header,
 * sent over a pooled connection, and the whole answer read and parsed within the timeout. Whatever the
 * provider answered comes back, whatever its status; no answer is a retriable PROVIDER_TIMEOUT or
 * PROVIDER_UNAVAILABLE.
 *
 * Each attempt is an HTTP client span (`<METHOD> <operation>`, a child of the handler's span) and sends its
 * W3C `traceparent`, so a provider that traces, and the simulator, see the event's trace.
 */
export class ProviderTransport {
  readonly #options: ProviderTransportOptions;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #origin: URL;
  readonly #port: number;

  constructor(options: ProviderTransportOptions) {
    this.#options = options;
    const url = new URL(options.baseUrl);
    this.#basePath = url.pathname.replace(/\/$/, '');
    this.#origin = url;
    this.#port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    this.#pool = new Pool(url.origin, { connections: options.connections });
  }

  send(request: ProviderRequest): Promise<ProviderResponse> {
    return withSpan(`${request.method} ${request.operation}`, { kind: 'client' }, async (span) => {
      if (span.isRecording()) {
        span.setAttributes({
          'http.request.method': request.method,
          'server.address': this.#origin.hostname,
          'server.port': this.#port,
          'url.template': request.operation,
          'tributary.provider': this.#options.provider,
        });
      }
      const response = await this.#send(request);
      markStatus(span, response.status);
      return response;
    });
  }

  async #send(request: ProviderRequest): Promise<ProviderResponse> {
    const { provider, timeoutMs } = this.#options;
    const started = performance.now();
    const observe = (status: string) =>
      metrics.providerRequestDuration.observe(
        { provider, operation: request.operation, status },
        (performance.now() - started) / 1000,
      );
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.#options.defaultHeaders,
      ...request.headers,
    };
    if (request.idempotencyKey) headers[this.#options.idempotencyHeader] = request.idempotencyKey;
    const traceparent = activeTraceparent();
    if (traceparent) headers.traceparent = traceparent;
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }

    let status: number;
    let responseHeaders: HeaderBag;
    let parsed: unknown;
    try {
      const response = await this.#pool.request({
        method: request.method,
        path: this.#basePath + request.path,
        headers,
        body,
        signal,
      });
      status = response.statusCode;
      responseHeaders = response.headers as HeaderBag;
      const text = await response.body.text();
      parsed = parseBody(text, responseHeaders);
    } catch (error) {
      if (timeout.aborted && !request.signal?.aborted) {
        observe('timeout');
        throw providerError(provider, ConnectorErrorCode.providerTimeout, request, true, {
          message: `${request.operation} got no answer from ${provider} within ${timeoutMs} ms`,
          cause: error,
        });
      }
      observe('network_error');
      throw providerError(provider, ConnectorErrorCode.providerUnavailable, request, true, {
        message: `${request.operation} could not reach ${provider}: ${(error as Error).message}`,
        cause: error,
      });
    }
    observe(String(status));
    return { status, headers: responseHeaders, body: parsed };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** A client span is an error for any 4xx or 5xx answer (HTTP semantic conventions). */
function markStatus(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

function parseBody(text: string, headers: HeaderBag): unknown {
  const type = String(headers['content-type'] ?? '');
  if (text && type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
