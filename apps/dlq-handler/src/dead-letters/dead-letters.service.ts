import type { Logger } from '@tributary/kafka';
import { AuditLog } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { ProblemError } from '@tributary/service-kit';
import { ProblemCode } from '../http/problem.js';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { captureOf, refusalOf, statusesAllowing } from './domain/dead-letter.js';
import type { ConsumedDlqRecord, DeadLetterStatus } from './domain/dead-letter.js';
import type { CaptureStore } from './capture-store.js';
import type { OperatorCommands, Selection } from './operator-commands.js';
import type { Skipped } from './dead-letters.routes.js';
import type { ReplayTopics } from './topic-directory.js';
import type { DlqRecordHandler } from './dlq.consumer.js';
import { parseResolution } from './domain/resolution.js';
import type { ConsumedResolution } from './domain/resolution.js';
import { decodeValue } from './domain/value-decoder.js';
import type { WriterSchemas } from './domain/value-decoder.js';

export interface BulkResult {
  /** Rows the action changed. */
  readonly ids: readonly string[];
  /** Explicit ids the action did not change, with their status (or `missing`) and why. */
  readonly skipped: readonly Skipped[];
  readonly auditId: string;
}

export interface DeadLettersServiceOptions {
  readonly dataSource: DataSource;
  readonly capture: CaptureStore;
  readonly commands: OperatorCommands;
  readonly schemas: WriterSchemas;
  readonly logger: Logger;
  readonly bulkLimit: number;
  readonly replayTopics: ReplayTopics;
  /** Called after a replay request committed, to start sending at once. */
  readonly onReplayAccepted: () => void;
}

const AUDIT_IDS_MAX = 1_000;

/** Capture, resolution, replay and discard: the rules, free of HTTP and Kafka client details. */
export class DeadLettersService implements DlqRecordHandler {
  private readonly audit: AuditLog;

  constructor(private readonly options: DeadLettersServiceOptions) {
    this.audit = new AuditLog(options.dataSource);
  }

  async onDeadLetter(record: ConsumedDlqRecord): Promise<void> {
    const capture = captureOf(record);
    const decoded = await decodeValue(capture.value, this.options.schemas);
    const { id, outcome } = await this.options.capture.capture(capture, decoded);
    dlqMetrics.captured.inc({ consumer_group: capture.consumerGroup, code: capture.errorCode, outcome });
    if (outcome === 'failed_again')
      dlqMetrics.replays.inc({ consumer_group: capture.consumerGroup, outcome });
    if (outcome !== 'redelivered') {
      this.options.logger.info(
        {
          deadLetterId: id,
          outcome,
          consumerGroup: capture.consumerGroup,
          code: capture.errorCode,
          eventId: capture.eventId,
          dlq: `${record.topic}:${record.partition}:${record.offset}`,
        },
        'dead letter stored',
      );
    }
  }

  async onResolution(record: ConsumedResolution): Promise<void> {
    const signal = parseResolution(record);
    if (!signal) {
      this.options.logger.warn({ topic: record.topic }, 'resolution record names no dead letter; skipped');
      return;
    }
    if (await this.options.capture.resolve(signal.deadLetterId, signal.consumerGroup)) {
      dlqMetrics.replays.inc({ consumer_group: signal.consumerGroup, outcome: 'resolved' });
      this.options.logger.info({ ...signal }, 'dead letter resolved by its consumer group');
    }
  }

  /**
   * Marks the selection for replay and records who asked and why, in one transaction; the dispatcher sends
   * the rows afterwards at the configured rate. Resolved and discarded rows are never replayed. Each row goes
   * to the tier its DLQ record named (else its group's first tier now, kept on the row); when one of those
   * topics does not exist the request is refused whole (409 REPLAY_TARGET_MISSING), never sent elsewhere.
   * `one`: the single-id route, which answers a row it cannot replay with 404/409 instead of a skip.
   */
  async replay(
    selection: Selection,
    actor: string,
    reason: string,
    options: { one?: boolean } = {},
  ): Promise<BulkResult> {
    const result = await this.options.dataSource.transaction(async (manager) => {
      await this.checkSize(manager, selection, statusesAllowing('replay'));
      const fallbacks = await this.checkReplayTargets(manager, selection);
      const marked = await this.options.commands.markForReplay(manager, selection, actor, reason, fallbacks);
      const skipped = await this.skipped(
        manager,
        'replay',
        selection,
        marked.map((m) => m.id),
      );
      if (options.one && marked.length === 0) throw this.conflict('replay', skipped[0]);
      const audit = await this.audit.record(
        {
          actor,
          action: 'dlq.replay',
          reason,
          target: targetOf(
            selection,
            marked.map((m) => m.id),
          ),
          details: detailsOf(
            selection,
            marked.map((m) => m.id),
            skipped,
          ),
        },
        manager,
      );
      for (const { consumerGroup } of marked)
        dlqMetrics.replays.inc({ consumer_group: consumerGroup, outcome: 'requested' });
      return { ids: marked.map((m) => m.id), skipped, auditId: String(audit.id) };
    });
    if (result.ids.length > 0) this.options.onReplayAccepted();
    return result;
  }

  /**
   * Pending rows, and replayed rows whose outcome never came (an SRE gives up on them). A row still queued for
   * sending is left alone: cancelling a replay half-way would make its outcome ambiguous. Ids it cannot
   * discard are skipped with why, the others discarded; only the single-id route (`one`) answers 404/409.
   */
  async discard(
    selection: Selection,
    actor: string,
    reason: string,
    options: { one?: boolean } = {},
  ): Promise<BulkResult> {
    return this.options.dataSource.transaction(async (manager) => {
      await this.checkSize(manager, selection, statusesAllowing('discard'));
      const discarded = await this.options.commands.discard(manager, selection, actor, reason);
      const ids = discarded.map((row) => row.id);
      const skipped = await this.skipped(manager, 'discard', selection, ids);
      if (options.one && ids.length === 0) throw this.conflict('discard', skipped[0]);
      const audit = await this.audit.record(
        {
          actor,
          action: 'dlq.discard',
          reason,
          target: targetOf(selection, ids),
          details: detailsOf(selection, ids, skipped),
        },
        manager,
      );
      for (const { consumerGroup } of discarded) dlqMetrics.discards.inc({ consumer_group: consumerGroup });
      return { ids, skipped, auditId: String(audit.id) };
    });
  }

  private async checkSize(
    manager: Parameters<OperatorCommands['countSelected']>[0],
    selection: Selection,
    statuses: readonly DeadLetterStatus[],
  ): Promise<void> {
    if ('ids' in selection) return;
    const n = await this.options.commands.countSelected(manager, selection, statuses);
    if (n > this.options.bulkLimit) {
      throw new ProblemError(
        ProblemCode.selectionTooLarge,
        `The filter selects ${n} dead letters; at most ${this.options.bulkLimit} per request. Narrow it (group, error code, time range).`,
      );
    }
  }

  /**
   * Where the selection's rows would be replayed to, checked against the cluster before anything is marked.
   * Resolves to the fallback target of each group whose rows name none.
   */
  private async checkReplayTargets(
    manager: Parameters<OperatorCommands['replayTargets']>[0],
    selection: Selection,
  ): Promise<Map<string, string>> {
    const targets = await this.options.commands.replayTargets(manager, selection);
    if (targets.length === 0) return new Map();
    const { replayTopics } = this.options;
    const firstTiers = targets.some((t) => t.replayTopic === null)
      ? await replayTopics.firstRetryTiers()
      : new Map<string, string>();
    const existing = await replayTopics.existingTopics();
    const fallbacks = new Map<string, string>();
    const missing: string[] = [];
    for (const { consumerGroup, replayTopic } of targets) {
      const topic = replayTopic ?? firstTiers.get(consumerGroup);
      if (topic === undefined) missing.push(`no retry tier topic for group ${consumerGroup}`);
      else if (!existing.has(topic)) missing.push(`${topic} (group ${consumerGroup})`);
      else if (replayTopic === null) fallbacks.set(consumerGroup, topic);
    }
    if (missing.length > 0) {
      throw new ProblemError(
        ProblemCode.replayTargetMissing,
        `The retry tier a replay goes to does not exist: ${[...new Set(missing)].join('; ')}. Nothing was replayed: a replay never moves to another tier. The group's consumer recreates its tiers; replay again once it has.`,
      );
    }
    return fallbacks;
  }

  private async skipped(
    manager: Parameters<OperatorCommands['statusesOf']>[0],
    action: 'replay' | 'discard',
    selection: Selection,
    changed: readonly string[],
  ): Promise<Skipped[]> {
    if (!('ids' in selection)) return [];
    const done = new Set(changed);
    const rest = [...new Set(selection.ids)].filter((id) => !done.has(id));
    if (rest.length === 0) return [];
    const rows = await this.options.commands.statusesOf(manager, rest);
    return rest.map((id) => {
      const row = rows.get(id);
      // A row this request did not change, yet the domain would allow: another request took it meanwhile.
      const refusal = refusalOf(action, row) ?? {
        code: ProblemCode.stateConflict,
        reason: 'another request changed it first',
      };
      return { id, status: row?.status ?? ('missing' as const), ...refusal };
    });
  }

  private conflict(action: 'replay' | 'discard', skipped: Skipped | undefined): ProblemError {
    if (!skipped || skipped.status === 'missing') {
      return new ProblemError(ProblemCode.deadLetterNotFound, 'No dead letter has this id.');
    }
    const verb = action === 'replay' ? 'replayed' : 'discarded';
    const code = skipped.code === ProblemCode.payloadScrubbed ? skipped.code : ProblemCode.stateConflict;
    return new ProblemError(code, `The dead letter was not ${verb}: ${skipped.reason}.`);
  }
}

function targetOf(selection: Selection, ids: readonly string[]): string {
  if (ids.length === 1) return `dead-letter:${ids[0]}`;
  return 'ids' in selection ? `dead-letters:ids(${ids.length})` : `dead-letters:filter(${ids.length})`;
}

function detailsOf(
  selection: Selection,
  ids: readonly string[],
  skipped: readonly { id: string; status: string }[],
): Record<string, unknown> {
  return {
    count: ids.length,
    ...('filter' in selection ? { filter: selection.filter } : {}),
    ids: ids.slice(0, AUDIT_IDS_MAX),
    ...(ids.length > AUDIT_IDS_MAX ? { idsTruncated: true } : {}),
    ...(skipped.length > 0 ? { skipped: skipped.slice(0, AUDIT_IDS_MAX) } : {}),
  };
}
