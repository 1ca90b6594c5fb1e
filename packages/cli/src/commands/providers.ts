import { parseArgs } from 'node:util';
import type { components } from '../generated/reconciliation-api.js';
import { columns, serviceApi, serviceTarget } from '../http/service-api.js';
import { devSessionPath, readDevSession } from '../session/dev-session.js';

type ProviderChange = components['schemas']['ProviderChange'];
type ProviderShape = components['schemas']['ProviderShape'];

/** reconciliation's own default port (PORT). */
const DEFAULT_RECONCILIATION_URL = 'http://127.0.0.1:3400';

/**
 * `tributary providers ...`: what providers send that differs from what was known of an endpoint, over the
 * reconciliation service's HTTP API (its keys, scopes and audit trail).
 */
export const providersUsage = `usage: tributary providers <command>
  changes [--provider p] [--surface response|webhook] [--endpoint e] [--kind k] [--severity info|warning|error]
          [--status open|acknowledged|all] [--limit n] [--json]
                                          provider changes, newest first (default: the open ones)
  change <change id> [--json]             one change with its message and the example that showed it
  ack <change id> --reason "<why>"        acknowledge a change (audited)
  shapes [--provider p] [--surface response|webhook] [--endpoint e] [--json]
                                          the shapes known of each endpoint
  env: RECONCILIATION_URL, RECONCILIATION_API_KEY; when unset, those of the running npm run dev,
       else RECONCILIATION_URL=${DEFAULT_RECONCILIATION_URL}`;

export interface ProvidersIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly sessionFile?: string;
}

export async function providersCommand(argv: string[], io: ProvidersIo): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      provider: { type: 'string' },
      surface: { type: 'string' },
      endpoint: { type: 'string' },
      kind: { type: 'string' },
      severity: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const usage = () => {
    io.out(providersUsage);
    return 2;
  };
  const api = () =>
    serviceApi(
      serviceTarget(
        { url: 'RECONCILIATION_URL', key: 'RECONCILIATION_API_KEY', defaultUrl: DEFAULT_RECONCILIATION_URL },
        io.env,
        readDevSession(io.sessionFile ?? devSessionPath(io.env)),
      ),
      io.fetch,
    );
  const print = (lines: readonly string[]) => lines.forEach((line) => io.out(line));
  const id = positionals[0];

  switch (command) {
    case 'changes': {
      const page = (await api()(
        'GET',
        `/v1/provider-changes?${query({
          provider: values.provider,
          surface: values.surface,
          endpoint: values.endpoint,
          kind: values.kind,
          severity: values.severity,
          // The API lists both when no status is asked for; an operator asks for what is still open.
          status: values.status === 'all' ? undefined : (values.status ?? 'open'),
          limit: values.limit,
        })}`,
      )) as { items: ProviderChange[]; nextCursor: string | null };
      if (values.json) print([JSON.stringify(page.items, null, 2)]);
      else print(changeTable(page.items, page.nextCursor !== null));
      return 0;
    }
    case 'change': {
      if (!id) return usage();
      const change = (await api()('GET', `/v1/provider-changes/${encodeURIComponent(id)}`)) as ProviderChange;
      print(values.json ? [JSON.stringify(change, null, 2)] : describeChange(change));
      return 0;
    }
    case 'ack': {
      // The reason goes into the audit log: no acknowledgement without one.
      if (!id || !values.reason) return usage();
      const change = (await api()('POST', `/v1/provider-changes/${encodeURIComponent(id)}/acknowledge`, {
        reason: values.reason,
      })) as ProviderChange;
      io.out(
        `acknowledged ${change.id}: ${change.kind} at ${change.provider} ${change.endpoint}${change.path ? ` ${change.path}` : ''} (by ${change.acknowledgedBy ?? '?'})`,
      );
      return 0;
    }
    case 'shapes': {
      const list = (await api()(
        'GET',
        `/v1/provider-shapes?${query({
          provider: values.provider,
          surface: values.surface,
          endpoint: values.endpoint,
        })}`,
      )) as { items: ProviderShape[] };
      print(values.json ? [JSON.stringify(list.items, null, 2)] : shapeTable(list.items));
      return 0;
    }
    case undefined:
      io.out(providersUsage);
      return 0;
    default:
      return usage();
  }
}

function query(entries: Record<string, string | undefined>): string {
  return new URLSearchParams(
    Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
}

const time = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
const orDash = (value: string | number | null) => (value === null ? '-' : String(value));

export function changeTable(changes: readonly ProviderChange[], more = false): string[] {
  return [
    ...columns(
      [
        'ID',
        'SEVERITY',
        'KIND',
        'PROVIDER',
        'ENDPOINT',
        'STATUS',
        'PATH',
        'VALUE',
        'USED BY',
        'SEEN',
        'LAST SEEN',
        'ACKNOWLEDGED',
      ],
      changes.map((c) => [
        c.id,
        c.severity,
        c.kind,
        c.provider,
        c.endpoint,
        orDash(c.status),
        orDash(c.path),
        orDash(c.value),
        orDash(c.usedBy),
        String(c.occurrences),
        time(c.lastSeenAt),
        c.acknowledgedAt ? time(c.acknowledgedAt) : 'no',
      ]),
    ),
    `${changes.length} change(s)${more ? ', more match (--limit up to 500, or narrow the filters)' : ''}`,
  ];
}

/** The example is already redacted by the observer: personal data never reaches reconciliation. */
export function describeChange(change: ProviderChange): string[] {
  return [
    `change ${change.id}: ${change.severity} ${change.kind}`,
    `  ${change.message}`,
    `endpoint      ${change.provider} ${change.surface} ${change.endpoint}${change.status === null ? '' : `, status ${change.status}`}`,
    `path          ${orDash(change.path)}`,
    `value         ${orDash(change.value)}${change.previous === null ? '' : ` (was ${change.previous})`}`,
    `used by       ${orDash(change.usedBy)}`,
    `shape         ${change.shapeHash}, seen by ${change.observer}`,
    `seen          ${change.occurrences} time(s), ${time(change.firstSeenAt)} .. ${time(change.lastSeenAt)}`,
    `acknowledged  ${
      change.acknowledgedAt
        ? `${time(change.acknowledgedAt)} by ${change.acknowledgedBy ?? '?'}: ${change.acknowledgedReason ?? ''}`
        : 'no'
    }`,
    ...(change.example === null ? [] : ['example', ...prettyJson(change.example).map((line) => `  ${line}`)]),
  ];
}

export function shapeTable(shapes: readonly ProviderShape[]): string[] {
  return [
    ...columns(
      ['PROVIDER', 'SURFACE', 'ENDPOINT', 'STATUS', 'HASH', 'SAMPLES', 'FIELDS', 'FIRST SEEN', 'LAST SEEN'],
      shapes.map((s) => [
        s.provider,
        s.surface,
        s.endpoint,
        orDash(s.status),
        s.hash,
        String(s.samples),
        String(s.fields.length),
        time(s.firstSeenAt),
        time(s.lastSeenAt),
      ]),
    ),
    `${shapes.length} shape(s)`,
  ];
}

/** Examples are JSON; one that does not parse is still worth showing, as it is. */
function prettyJson(text: string): string[] {
  try {
    return JSON.stringify(JSON.parse(text), null, 2).split('\n');
  } catch {
    return [text];
  }
}
