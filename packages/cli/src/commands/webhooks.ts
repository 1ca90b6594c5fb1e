import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { webhookDefinitions } from '@tributary/webhooks';
import { describeLookup, devSessionPath, readDevSession, setting } from '../session/dev-session.js';

export const webhooksUsage = `usage: tributary webhooks sign <provider> [--body <json> | --body-file <path>] [--url <ingestion url>]
  prints a curl command that delivers one webhook to ingestion, signed now with the provider's scheme
  (${Object.keys(webhookDefinitions).join(', ')}); without --body, a harmless example event of the provider
  (stored by ingestion, mapped to nothing). Signatures with a timestamp are good for 5 minutes: sign again.
  env: INGESTION_URL and <PROVIDER>_WEBHOOK_SECRET; when unset, those of the running npm run dev`;

export interface WebhooksIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly sessionFile?: string;
  /** Default: now. */
  readonly now?: () => Date;
}

export async function webhooksCommand(argv: string[], io: WebhooksIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'sign') {
    io.out(webhooksUsage);
    return command === undefined ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { body: { type: 'string' }, 'body-file': { type: 'string' }, url: { type: 'string' } },
  });
  const provider = positionals[0];
  if (!provider || !webhookDefinitions[provider]) {
    throw new Error(
      `webhooks sign needs a provider: one of ${Object.keys(webhookDefinitions).join(', ')} (got ${provider ?? 'none'})`,
    );
  }
  const lookup = readDevSession(io.sessionFile ?? devSessionPath(io.env));
  const secretName = `${provider.toUpperCase()}_WEBHOOK_SECRET`;
  const secret = setting(secretName, io.env, lookup);
  if (!secret.value) {
    throw new Error(`${secretName} is not set (${secretName} ${secret.source}; ${describeLookup(lookup)})`);
  }
  const ingestion = values.url ?? setting('INGESTION_URL', io.env, lookup).value;
  if (!ingestion) throw new Error(`INGESTION_URL is not set (${describeLookup(lookup)})`);
  const now = io.now?.() ?? new Date();
  const body =
    values.body ??
    (values['body-file'] ? readFileSync(values['body-file'], 'utf8') : exampleBody(provider, now));
  io.out(curlCommand(signedDelivery({ provider, secret: secret.value, ingestionUrl: ingestion, body, now })));
  return 0;
}

export interface Delivery {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One delivery as the provider would send it: the URL ingestion serves the provider at, and the headers the
 * provider's scheme (packages/webhooks, the code ingestion verifies with) signs the body with at `now`.
 */
export function signedDelivery(input: {
  readonly provider: string;
  readonly secret: string;
  readonly ingestionUrl: string;
  readonly body: string;
  readonly now: Date;
}): Delivery {
  const definition = webhookDefinitions[input.provider];
  if (!definition) throw new Error(`no webhook definition for ${input.provider}`);
  const url = `${input.ingestionUrl.replace(/\/+$/, '')}/webhooks/${input.provider}`;
  const signed = definition.scheme.sign(
    // HubSpot signs the method and the URL it called; ingestion rebuilds the same from PUBLIC_BASE_URL.
    { body: Buffer.from(input.body), method: 'POST', url, timestamp: input.now, id: `msg_${hex(12)}` },
    input.secret,
  );
  return { url, headers: { 'content-type': 'application/json', ...signed }, body: input.body };
}

/** A curl command a shell runs as printed; it fails (exit 22) on an answer of 400 or more. */
export function curlCommand(delivery: Delivery): string {
  return [
    `curl -sS -i --fail-with-body -X POST ${shellQuote(delivery.url)}`,
    ...Object.entries(delivery.headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
    `--data-binary ${shellQuote(delivery.body)}`,
  ].join(' \\\n  ');
}

/** A minimal event of the provider's envelope with fresh ids (never a duplicate), of a type nothing maps. */
export function exampleBody(provider: string, now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000);
  switch (provider) {
    case 'stripe':
      return JSON.stringify({
        id: `evt_dev_${hex(12)}`,
        object: 'event',
        type: 'customer.created',
        created: seconds,
        data: { object: { id: `cus_dev_${hex(8)}`, object: 'customer' } },
      });
    case 'easypost':
      return JSON.stringify({
        id: `evt_dev_${hex(12)}`,
        object: 'Event',
        description: 'tracker.created',
        created_at: now.toISOString(),
        result: { id: `trk_dev_${hex(8)}`, object: 'Tracker', status: 'pre_transit' },
      });
    case 'hubspot':
      return JSON.stringify([
        {
          eventId: randomBytes(4).readUInt32BE() >>> 1,
          subscriptionId: 1,
          portalId: 1,
          occurredAt: now.getTime(),
          subscriptionType: 'contact.deletion',
          objectId: randomBytes(4).readUInt32BE() >>> 1,
        },
      ]);
    default:
      return JSON.stringify({ id: `dev_${hex(12)}`, type: 'ping', created: seconds });
  }
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function shellQuote(value: string): string {
  return /^[\w./:@,+=%-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
