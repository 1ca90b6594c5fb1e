import { parseArgs } from 'node:util';
import { columns, serviceApi, serviceTarget } from '../http/service-api.js';
import type { ServiceApi, ServiceTarget } from '../http/service-api.js';
import { devSessionPath, readDevSession } from '../session/dev-session.js';
import type { DevSessionLookup } from '../session/dev-session.js';

export { causeOf } from '../http/service-api.js';

/** dlq-handler's own default port (PORT), also the one docker-compose publishes. */
const DEFAULT_DLQ_URL = 'http://127.0.0.1:3300';

/**
 * `tributary dlq ls | show | replay | discard` over the dlq-handler's HTTP API (never its database): the same
 * API keys, scopes, validation and audit trail as any other client. DLQ_URL and DLQ_API_KEY (the bearer
 * token) come from the environment, else from the session file of a running `npm run dev`, else DLQ_URL
 * defaults to the handler's own default port.
 */
export const dlqUsage = `usage: tributary dlq <command>
  ls [--group g] [--topic t] [--code c] [--status s] [--type t] [--from iso] [--to iso] [--limit n] [--all]
  show <id> [--json]
  replay (<id>... | --group g [--code c] [--topic t] [--from iso] [--to iso]) --reason "<why>" [--wait]
  discard (<id>... | --group g [--code c] ...) --reason "<why>"
  env: DLQ_URL, DLQ_API_KEY; when unset, those of the running npm run dev (its session file),
       else DLQ_URL=${DEFAULT_DLQ_URL}`;

export interface DlqCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The dev session file to fall back on. Default: devSessionPath(env). */
  readonly sessionFile?: string;
}

interface StoredHeader {
  name: string;
  value: string;
  encoding: 'utf8' | 'base64';
}

/** GET /v1/dead-letters/:id as `show` reads it; fields it does not know are left to --json. */
export interface DeadLetterDetail extends Summary {
  eventId?: string | null;
  eventType?: string | null;
  errorClass?: string | null;
  errorMessage?: string | null;
  errorStack?: string | null;
  deadLetteredCount?: number;
  replayCount?: number;
  firstFailedAt?: string;
  originalTimestamp?: string | null;
  statusReason?: string | null;
  dlq?: { topic: string; partition: number; offset: string };
  key?: { base64: string; text: string | null } | null;
  value?: {
    base64: string;
    format: string;
    schemaId: number | null;
    decoded: unknown;
    decodeError: string | null;
  } | null;
  headers?: readonly StoredHeader[];
  replayRequestedAt?: string | null;
  replayRequestedBy?: string | null;
  replayedAt?: string | null;
  resolvedAt?: string | null;
  discardedAt?: string | null;
  discardedBy?: string | null;
}

interface Summary {
  id: string;
  consumerGroup: string;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  errorCode: string;
  status: string;
  attempts: number;
  lastFailedAt: string;
}

const filterOptions = {
  group: { type: 'string' },
  topic: { type: 'string' },
  code: { type: 'string' },
  status: { type: 'string' },
  type: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export async function dlqCommand(argv: string[], io: DlqCommandIo): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...filterOptions,
      limit: { type: 'string' },
      all: { type: 'boolean' },
      reason: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const api = serviceApi(
    dlqTarget(io.env, readDevSession(io.sessionFile ?? devSessionPath(io.env))),
    io.fetch,
  );
  const filter = Object.fromEntries(
    Object.entries({
      group: values.group,
      topic: values.topic,
      errorCode: values.code,
      status: values.status,
      eventType: values.type,
      from: values.from,
      to: values.to,
    }).filter(([, value]) => value !== undefined),
  ) as Record<string, string>;

  switch (command) {
    case 'ls': {
      const rows: Summary[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ ...filter, limit: values.limit ?? '50' });
        if (cursor) query.set('cursor', cursor);
        const page = (await api('GET', `/v1/dead-letters?${query}`)) as {
          items: Summary[];
          nextCursor: string | null;
        };
        rows.push(...page.items);
        cursor = values.all ? page.nextCursor : null;
      } while (cursor);
      for (const line of table(rows)) io.out(line);
      return 0;
    }
    case 'show': {
      const id = positionals[0];
      if (!id) throw new Error('dlq show needs an id');
      const found = await api('GET', `/v1/dead-letters/${encodeURIComponent(id)}`);
      if (values.json) io.out(JSON.stringify(found, null, 2));
      else for (const line of showDeadLetter(found as DeadLetterDetail)) io.out(line);
      return 0;
    }
    case 'replay':
    case 'discard': {
      if (!values.reason)
        throw new Error(`dlq ${command} needs --reason "<why>" (it goes into the audit log)`);
      if (positionals.length === 0 && Object.keys(filter).length === 0) {
        throw new Error(`dlq ${command} needs ids or a filter (--group, --code, ...)`);
      }
      const selection = positionals.length > 0 ? { ids: positionals } : { filter };
      const result = (await api('POST', `/v1/dead-letters/${command}`, {
        ...selection,
        reason: values.reason,
      })) as {
        accepted?: number;
        discarded?: number;
        skipped: { id: string; status: string; reason?: string }[];
        auditId: string;
      };
      const count = result.accepted ?? result.discarded ?? 0;
      io.out(
        command === 'replay'
          ? `${count} dead letter(s) accepted for replay (sent at the handler's replay rate); audit entry ${result.auditId}`
          : `${count} dead letter(s) discarded; audit entry ${result.auditId}`,
      );
      for (const skip of result.skipped)
        io.out(`  skipped ${skip.id}: ${skip.status}${skip.reason ? ` (${skip.reason})` : ''}`);
      if (command === 'replay' && values.wait && count > 0) await progress(api, io, filter, count);
      return 0;
    }
    default:
      io.out(dlqUsage);
      return command === undefined ? 0 : 2;
  }
}

/**
 * Bulk replay progress: how many of the accepted rows the handler has sent. Counted by the same filter plus
 * `replayQueued=true`, so with an id selection (no filter) it counts every queued replay, not only these.
 */
async function progress(
  api: ServiceApi,
  io: DlqCommandIo,
  filter: Record<string, string>,
  accepted: number,
): Promise<void> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const query = new URLSearchParams({ ...filter, status: 'replaying', replayQueued: 'true' });
    const { total } = (await api('GET', `/v1/dead-letters/counts?${query}`)) as { total: number };
    const sent = Math.max(0, accepted - total);
    io.out(`  sent ${sent}/${accepted}`);
    if (total === 0) return;
    await sleep(1_000);
  }
}

/** Where the CLI sends dlq-handler requests and with which key, and where both came from. */
export type DlqTarget = ServiceTarget;

export function dlqTarget(
  env: Readonly<Record<string, string | undefined>>,
  lookup: DevSessionLookup,
): DlqTarget {
  return serviceTarget({ url: 'DLQ_URL', key: 'DLQ_API_KEY', defaultUrl: DEFAULT_DLQ_URL }, env, lookup);
}

/** Dead letters as a table, widths from the content. */
export function table(rows: readonly Summary[]): string[] {
  const cells = rows.map((r) => [
    r.id,
    r.consumerGroup,
    `${r.originalTopic}[${r.originalPartition}]@${r.originalOffset}`,
    r.errorCode,
    r.status,
    String(r.attempts),
    r.lastFailedAt.replace('T', ' ').slice(0, 19),
  ]);
  return [
    ...columns(['ID', 'GROUP', 'ORIGIN', 'CODE', 'STATUS', 'ATTEMPTS', 'LAST FAILED'], cells),
    `${rows.length} dead letter(s)`,
  ];
}

const STACK_LINES = 8;

/**
 * `dlq show`: what failed and why first, then where the record came from, its headers and its decoded value,
 * for a person at a terminal. `--json` prints the record as the API returns it.
 */
export function showDeadLetter(d: DeadLetterDetail): string[] {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${label.padEnd(10)} ${value}`);
  const when = (iso: string | null | undefined) =>
    iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : '';
  const indent = (text: string) => text.split('\n').map((line) => `  ${line}`);

  lines.push(`dead letter ${d.id}`);
  field('status', [d.status, d.statusReason ? `(${d.statusReason})` : ''].filter(Boolean).join(' '));
  field(
    'error',
    [d.errorCode, d.errorClass ? `(${d.errorClass})` : '', d.errorMessage ? `: ${d.errorMessage}` : '']
      .filter(Boolean)
      .join(' ')
      .replace(' :', ':'),
  );
  if (d.errorStack) {
    const stack = d.errorStack.split('\n').slice(1);
    const shown = stack.slice(0, STACK_LINES).map((line) => `  ${line.trim()}`);
    if (stack.length > STACK_LINES) shown.push(`  … ${stack.length - STACK_LINES} more (--json)`);
    lines.push(...shown);
  }
  field(
    'origin',
    `${d.originalTopic}[${d.originalPartition}]@${d.originalOffset}${d.originalTimestamp ? ` at ${when(d.originalTimestamp)}` : ''}`,
  );
  field('group', d.consumerGroup);
  if (d.eventType || d.eventId) field('event', [d.eventType, d.eventId].filter(Boolean).join(' '));
  field(
    'attempts',
    [
      String(d.attempts),
      d.deadLetteredCount !== undefined && d.deadLetteredCount > 1
        ? `dead-lettered ${d.deadLetteredCount}×`
        : '',
      d.replayCount ? `replayed ${d.replayCount}×` : '',
    ]
      .filter(Boolean)
      .join(', '),
  );
  field(
    'failed',
    d.firstFailedAt && d.firstFailedAt !== d.lastFailedAt
      ? `first ${when(d.firstFailedAt)}, last ${when(d.lastFailedAt)}`
      : when(d.lastFailedAt),
  );
  if (d.dlq) field('dlq', `${d.dlq.topic}[${d.dlq.partition}]@${d.dlq.offset}`);
  if (d.replayRequestedAt)
    field(
      'replay',
      [
        `requested ${when(d.replayRequestedAt)}${d.replayRequestedBy ? ` by ${d.replayRequestedBy}` : ''}`,
        d.replayedAt ? `sent ${when(d.replayedAt)}` : '',
        d.resolvedAt ? `resolved ${when(d.resolvedAt)}` : '',
      ]
        .filter(Boolean)
        .join(', '),
    );
  if (d.discardedAt)
    field('discarded', `${when(d.discardedAt)}${d.discardedBy ? ` by ${d.discardedBy}` : ''}`);

  const headers = d.headers ?? [];
  lines.push(`headers    ${headers.length === 0 ? '(none)' : ''}`.trimEnd());
  const width = Math.max(0, ...headers.map((h) => h.name.length));
  for (const h of headers) {
    lines.push(`  ${h.name.padEnd(width)}  ${h.value}${h.encoding === 'base64' ? ' (base64)' : ''}`);
  }
  if (d.key !== undefined) {
    field('key', d.key === null ? '(none)' : (d.key.text ?? `${d.key.base64} (base64)`));
  }
  if (d.value !== undefined) {
    if (d.value === null) {
      field('value', '(none: a tombstone)');
    } else {
      const bytes = Buffer.from(d.value.base64, 'base64').length;
      const format = [
        d.value.format,
        d.value.schemaId !== null ? `schema ${d.value.schemaId}` : '',
        `${bytes} bytes`,
      ]
        .filter(Boolean)
        .join(', ');
      if (d.value.decodeError) {
        field('value', `${format}; not decoded: ${d.value.decodeError} (raw bytes in --json)`);
      } else {
        field('value', format);
        lines.push(...indent(JSON.stringify(d.value.decoded, null, 2)));
      }
    }
  }
  return lines;
}
