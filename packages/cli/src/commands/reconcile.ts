import { parseArgs } from 'node:util';
import type { components } from '../generated/reconciliation-api.js';
import { columns, serviceApi, serviceTarget } from '../http/service-api.js';
import type { ServiceApi } from '../http/service-api.js';
import { devSessionPath, readDevSession } from '../session/dev-session.js';

type Run = components['schemas']['Run'];
type Finding = components['schemas']['Finding'];

/** reconciliation's own default port (PORT). */
const DEFAULT_RECONCILIATION_URL = 'http://127.0.0.1:3400';

/**
 * `tributary reconcile ...` over the reconciliation service's HTTP API (never its database): the same keys,
 * scopes and audit trail as any other client.
 */
export const reconcileUsage = `usage: tributary reconcile <command>
  start <payment|contact|shipment> [--full | --ids id,id] [--dry-run] [--reason "<why>"] [--wait]
  runs [--entity e] [--status s] [--limit n]
  run <run id> [--json]
  findings [--entity e] [--class c] [--status open|resolved|dismissed] [--decision d] [--run id] [--limit n]
  finding <finding id> [--json]
  approve <finding id> --reason "<why>"      repair with the owner's value (audited)
  dismiss <finding id> --reason "<why>"      (audited)
  env: RECONCILIATION_URL, RECONCILIATION_API_KEY; when unset, those of the running npm run dev,
       else RECONCILIATION_URL=${DEFAULT_RECONCILIATION_URL}`;

export interface ReconcileIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly sessionFile?: string;
}

export async function reconcileCommand(argv: string[], io: ReconcileIo): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      full: { type: 'boolean' },
      ids: { type: 'string' },
      'dry-run': { type: 'boolean' },
      reason: { type: 'string' },
      wait: { type: 'boolean' },
      entity: { type: 'string' },
      status: { type: 'string' },
      class: { type: 'string' },
      decision: { type: 'string' },
      run: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const target = serviceTarget(
    { url: 'RECONCILIATION_URL', key: 'RECONCILIATION_API_KEY', defaultUrl: DEFAULT_RECONCILIATION_URL },
    io.env,
    readDevSession(io.sessionFile ?? devSessionPath(io.env)),
  );
  const api = serviceApi(target, io.fetch);
  const query = (entries: Record<string, string | undefined>) =>
    new URLSearchParams(
      Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
  const argument = (what: string) => {
    const value = positionals[0];
    if (!value) throw new Error(`reconcile ${command} needs ${what}`);
    return encodeURIComponent(value);
  };
  const reason = () => {
    if (!values.reason)
      throw new Error(`reconcile ${command} needs --reason "<why>" (it goes into the audit log)`);
    return values.reason;
  };

  switch (command) {
    case 'start': {
      const entity = argument('an entity (payment, contact, shipment)');
      const ids = values.ids
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      const run = (await api('POST', '/v1/runs', {
        entity,
        mode: ids ? 'ids' : values.full ? 'full' : 'incremental',
        ...(ids ? { ids } : {}),
        ...(values['dry-run'] ? { dryRun: true } : {}),
        ...(values.reason ? { reason: values.reason } : {}),
      })) as Run;
      io.out(`started ${run.mode} run ${run.id} of ${run.entity}${run.dryRun ? ' (dry run)' : ''}`);
      if (!values.wait) return 0;
      const finished = await waitForRun(api, run.id, io);
      for (const line of describeRun(finished)) io.out(line);
      return finished.status === 'succeeded' ? 0 : 1;
    }
    case 'runs': {
      const page = (await api(
        'GET',
        `/v1/runs?${query({ entity: values.entity, status: values.status, limit: values.limit })}`,
      )) as { items: Run[] };
      for (const line of runTable(page.items)) io.out(line);
      return 0;
    }
    case 'run': {
      const run = (await api('GET', `/v1/runs/${argument('a run id')}`)) as Run;
      for (const line of values.json ? [JSON.stringify(run, null, 2)] : describeRun(run)) io.out(line);
      return 0;
    }
    case 'findings': {
      const page = (await api(
        'GET',
        `/v1/findings?${query({
          entity: values.entity,
          class: values.class,
          status: values.status,
          decision: values.decision,
          runId: values.run,
          limit: values.limit,
        })}`,
      )) as { items: Finding[] };
      for (const line of findingTable(page.items)) io.out(line);
      return 0;
    }
    case 'finding': {
      const finding = (await api('GET', `/v1/findings/${argument('a finding id')}`)) as Finding;
      for (const line of values.json ? [JSON.stringify(finding, null, 2)] : describeFinding(finding))
        io.out(line);
      return 0;
    }
    case 'approve':
    case 'dismiss': {
      const finding = (await api('POST', `/v1/findings/${argument('a finding id')}/${command}`, {
        reason: reason(),
      })) as Finding;
      io.out(
        command === 'approve'
          ? `approved ${finding.id}: repair event ${finding.repairEventId ?? '(none)'}`
          : `dismissed ${finding.id}`,
      );
      return 0;
    }
    default:
      io.out(reconcileUsage);
      return command === undefined ? 0 : 2;
  }
}

async function waitForRun(api: ServiceApi, id: string, io: ReconcileIo): Promise<Run> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const run = (await api('GET', `/v1/runs/${id}`)) as Run;
    if (run.status !== 'running') return run;
    io.out(`  ${run.pages} page(s), ${run.compared} compared, ${run.mismatches} mismatch(es)`);
    await sleep(1_000);
  }
}

const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

export function runTable(runs: readonly Run[]): string[] {
  return [
    ...columns(
      ['ID', 'ENTITY', 'MODE', 'STATUS', 'COMPARED', 'MISMATCHES', 'REPAIRED', 'STARTED'],
      runs.map((r) => [
        r.id,
        r.entity,
        `${r.mode}${r.dryRun ? ' (dry)' : ''}`,
        r.status,
        String(r.compared),
        String(r.mismatches),
        String(r.repairsEmitted),
        time(r.startedAt),
      ]),
    ),
    `${runs.length} run(s)`,
  ];
}

export function describeRun(run: Run): string[] {
  return [
    `run ${run.id}: ${run.mode} of ${run.entity} at ${run.provider}${run.dryRun ? ', dry run' : ''}`,
    `status    ${run.status}${run.error ? `: ${run.error}` : ''}`,
    `pages     ${run.pages} (${run.unverifiable} read failure(s), asked again)`,
    `compared  ${run.compared}, ${run.mismatches} mismatch(es), ${run.deferred} deferred`,
    `repairs   ${run.repairsEmitted} emitted, ${run.repairsDryRun} dry run, ${run.repairsSuppressed} suppressed`,
    `started   ${time(run.startedAt)} by ${run.requestedBy}${run.finishedAt ? `, finished ${time(run.finishedAt)}` : ''}`,
  ];
}

export function findingTable(findings: readonly Finding[]): string[] {
  return [
    ...columns(
      ['ID', 'ENTITY', 'OBJECT', 'CLASS', 'DECISION', 'STATUS', 'FIELDS', 'SEEN'],
      findings.map((f) => [
        f.id,
        f.entity,
        f.entityId,
        f.class,
        f.decision,
        f.status,
        f.diffs.map((d) => d.field).join(','),
        String(f.seenCount),
      ]),
    ),
    `${findings.length} finding(s)`,
  ];
}

/** Field values are the owner's data: shown to the operator who asked, never logged. */
export function describeFinding(finding: Finding): string[] {
  return [
    `finding ${finding.id}: ${finding.class} of ${finding.entity} ${finding.entityId}`,
    `decision  ${finding.decision} (${finding.status})${finding.decidedBy ? ` by ${finding.decidedBy}: ${finding.decidedReason ?? ''}` : ''}`,
    `owner id  ${finding.externalId ?? ''}, version ${time(finding.ownerVersion)}`,
    `seen      ${finding.seenCount} time(s), ${time(finding.firstSeenAt)} .. ${time(finding.lastSeenAt)}`,
    ...(finding.repairEventId ? [`repair    event ${finding.repairEventId}`] : []),
    ...(finding.diffs.length > 0
      ? [
          'differs',
          ...finding.diffs.map(
            (d) => `  ${d.field}: ours ${JSON.stringify(d.local)}, owner ${JSON.stringify(d.owner)}`,
          ),
        ]
      : []),
  ];
}
