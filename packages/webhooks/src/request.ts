/**
 * What a signature scheme sees of an HTTP request: the exact bytes of the body (never a re-serialized
 * parse) and the headers. Frameworks stay outside this package; ingestion and the connector SDK build it.
 */
export interface WebhookRequest {
  /** Upper-case HTTP method, e.g. `POST` (HubSpot signs it). */
  readonly method: string;
  /** The full URL the provider called, scheme and host included, as the provider saw it (HubSpot signs it). */
  readonly url: string;
  /** Header names in any case; a repeated header may be given as an array. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Buffer;
}

/** The first value of a header, by case-insensitive name; undefined when absent or empty. */
export function headerOf(request: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const first = typeof value === 'string' ? value : value[0];
    return first === undefined || first.trim() === '' ? undefined : first.trim();
  }
  return undefined;
}
