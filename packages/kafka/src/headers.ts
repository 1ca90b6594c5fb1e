/**
 * Kafka headers as kafkajs hands them over: raw bytes, possibly repeated. They stay bytes end to end so that
 * binary headers of other producers survive a retry or DLQ hop untouched; only headers this platform defines
 * as text are ever decoded, and only on read.
 */
export type RawHeaderValue = Buffer | string | ReadonlyArray<Buffer | string>;
export type RawHeaders = Readonly<Record<string, RawHeaderValue | undefined>>;

/** The last value of a header as UTF-8 text (the last one wins, as in Kafka's `lastHeader`). */
export function headerText(headers: RawHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const last = typeof value === 'string' || Buffer.isBuffer(value) ? value : value[value.length - 1];
  if (last === undefined) return undefined;
  return typeof last === 'string' ? last : last.toString('utf8');
}

/** A decimal-string header as a safe integer, or undefined when absent or malformed. */
export function headerInteger(headers: RawHeaders | undefined, name: string): number | undefined {
  const text = headerText(headers, name);
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}
