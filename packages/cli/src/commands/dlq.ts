import { parseArgs } from 'node:util';

/**
 * `tributary dlq ls | show | replay | discard` over the dlq-handler's HTTP API (never its database): the same
 * API keys, scopes, validation and audit trail as any other client. DLQ_URL (default http://127.0.0.1:3300)
 * and DLQ_API_KEY (the bearer token) come from the environment.
 */
export const dlqUsage = `usage: tributary dlq <command>
  ls [--group g] [--topic t] [--code c] [--status s] [--type t] [--from iso] [--to iso] [--limit n] [--all]
  show <id>
  replay (<id>... | --group g [--code c] [--topic t] [--from iso] [--to iso]) --reason "<why>" [--wait]
  discard (<id>... | --group g [--code c] ...) --reason "<why>"
  env: DLQ_URL (default http://127.0.0.1:3300), DLQ_API_KEY`;

export interface DlqCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
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
    },
  });
  const api = client(io);
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
      io.out(JSON.stringify(await api('GET', `/v1/dead-letters/${encodeURIComponent(id)}`), null, 2));
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
        skipped: { id: string; status: string }[];
        auditId: string;
      };
      const count = result.accepted ?? result.discarded ?? 0;
      io.out(
        command === 'replay'
          ? `${count} dead letter(s) accepted for replay (sent at the handler's replay rate); audit entry ${result.auditId}`
          : `${count} dead letter(s) discarded; audit entry ${result.auditId}`,
      );
      for (const skip of result.skipped) io.out(`  skipped ${skip.id}: ${skip.status}`);
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
  api: ReturnType<typeof client>,
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

function client(io: DlqCommandIo) {
  const base = (io.env.DLQ_URL ?? 'http://127.0.0.1:3300').replace(/\/+$/, '');
  const token = io.env.DLQ_API_KEY;
  const doFetch = io.fetch ?? fetch;
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    if (!token) throw new Error('DLQ_API_KEY is not set');
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const problem = (parsed ?? {}) as { code?: string; detail?: string };
      throw new Error(`${response.status} ${problem.code ?? ''}: ${problem.detail ?? text}`.trim());
    }
    return parsed;
  };
}

/** Fixed-width columns, widths from the content. */
export function table(rows: readonly Summary[]): string[] {
  const header = ['ID', 'GROUP', 'ORIGIN', 'CODE', 'STATUS', 'ATTEMPTS', 'LAST FAILED'];
  const cells = rows.map((r) => [
    r.id,
    r.consumerGroup,
    `${r.originalTopic}[${r.originalPartition}]@${r.originalOffset}`,
    r.errorCode,
    r.status,
    String(r.attempts),
    r.lastFailedAt.replace('T', ' ').slice(0, 19),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line), `${rows.length} dead letter(s)`];
}
