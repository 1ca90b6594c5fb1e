import {
  FINDING_CLASSES,
  MISMATCH_CLASSES,
  isReconciledEntity,
  reconciledEntities,
} from '@tributary/contracts';
import type { EventOf, FindingClass, ReconciledEntityName } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import type { EntityManager } from 'typeorm';
import type { FindingDecision } from '../findings/domain/finding.js';
import type { Finding, FindingsRepository } from '../findings/findings.repository.js';
import { reconciliationMetrics as metrics } from '../metrics/reconciliation.metrics.js';
import type { PlatformOwnedRepository } from '../projections/platform-owned.repository.js';
import { localCopyOf } from '../projections/projection.repository.js';
import type { ProjectionRepository } from '../projections/projection.repository.js';
import { compare, judgeWriteBack, missingAtOwner } from './domain/comparison.js';
import type { OwnerCopy } from './domain/comparison.js';
import { repairsAutomatically } from './domain/repair.js';
import {
  MAX_PAGE_ATTEMPTS,
  THROTTLED_CODE,
  guardrailTripped,
  pageRetryDelayMs,
  throttledRetryDelayMs,
} from './domain/run.js';
import type { Guardrails } from './domain/run.js';
import type { PageRequester } from './page-requester.js';
import type { Repairer } from '../findings/repairer.js';
import type { Run, RunsRepository } from './runs.repository.js';

export interface PageProcessorOptions {
  readonly runs: RunsRepository;
  readonly findings: FindingsRepository;
  readonly projections: ProjectionRepository;
  readonly platformOwned: PlatformOwnedRepository;
  readonly repairer: Repairer;
  readonly requester: PageRequester;
  readonly logger: Logger;
  readonly settleMs: number;
  /** The longest wait before a page the owner could not serve is asked for again. */
  readonly pageRetryMaxMs: number;
  /** The longest wait before a page held back by the provider's rate limit is asked for again. */
  readonly throttledRetryMaxMs: number;
  readonly guardrails: Guardrails;
  /** Entities whose repairs are enabled; the others are reported only (dry run). */
  readonly repairEntities: readonly ReconciledEntityName[];
  readonly now?: () => number;
}

type Page = EventOf<'reconciliation.read.completed'>;

/** What owned fields that agree settle; `stale_at_owner` is settled by the platform-owned ones agreeing. */
const OWNER_WINS_CLASSES = FINDING_CLASSES.filter((kind) => kind !== 'stale_at_owner');

/**
 * Handles one page the owner's connector read, in the transaction that records it in the inbox: compares
 * each object with the projection, records what it found, checkpoints the run (the next page and its token)
 * and asks for the next page, or completes the run. Repairs are held until the run completes: a guardrail
 * that trips on page 40 must not find 39 pages of repairs already sent.
 */
export class PageProcessor {
  readonly #now: () => number;

  constructor(private readonly options: PageProcessorOptions) {
    this.#now = options.now ?? Date.now;
  }

  async process(manager: EntityManager, page: Page): Promise<void> {
    const { runs, logger } = this.options;
    const data = page.data;
    const run = await runs.lock(manager, data.runId);
    // A page of a finished run, or an answer to a page asked for twice whose first answer came first.
    if (!run || run.status !== 'running' || data.pageNo !== run.pageNo) return;
    if (!isReconciledEntity(run.entity)) return;
    const entity = run.entity;

    if (data.failureCode) {
      metrics.unverifiable.inc({ entity, code: data.failureCode });
      if (data.failureCode === THROTTLED_CODE) {
        const throttles = run.pageThrottles + 1;
        logger.info(
          { runId: run.id, entity, page: data.pageNo, throttles },
          'reconciliation page held back by the rate limit; asking again later',
        );
        const retry = {
          delayMs: throttledRetryDelayMs(throttles, this.options.throttledRetryMaxMs),
          throttled: true,
        };
        await runs.retryPage(manager, run.id, retry, { unverifiable: 1 });
        return;
      }
      const attempts = run.pageAttempts + 1;
      if (attempts >= MAX_PAGE_ATTEMPTS) {
        const finished = await runs.finish(manager, run.id, 'failed', {
          unverifiable: 1,
          error:
            `page ${data.pageNo} could not be read ${attempts} times: ${data.failureCode} ${data.failureMessage ?? ''}`.trim(),
        });
        this.#finished(finished);
        return;
      }
      logger.warn(
        { runId: run.id, entity, page: data.pageNo, code: data.failureCode, attempt: attempts },
        'reconciliation page could not be read; asking again later',
      );
      const retry = { delayMs: pageRetryDelayMs(attempts, this.options.pageRetryMaxMs), throttled: false };
      await runs.retryPage(manager, run.id, retry, { unverifiable: 1 });
      return;
    }

    const counts = await this.#compare(manager, run, entity, page);
    const updated = await runs.pageDone(
      manager,
      run.id,
      { pageNo: run.pageNo + 1, cursor: data.nextCursor ?? null },
      counts,
    );
    const pending = (await this.options.findings.pendingRepairs(manager, run.id)).length;
    const tripped = guardrailTripped(
      { compared: updated.compared, mismatches: updated.mismatches, repairsPending: pending },
      this.options.guardrails,
    );
    if (tripped) return this.#trip(manager, updated, tripped);
    if (data.complete || data.nextCursor === null || data.nextCursor === undefined) {
      return this.#complete(manager, updated, entity);
    }
    await this.options.requester.request(manager, updated);
  }

  async #compare(
    manager: EntityManager,
    run: Run,
    entity: ReconciledEntityName,
    page: Page,
  ): Promise<{ compared: number; mismatches: number; deferred: number }> {
    const { projections, platformOwned, findings } = this.options;
    const context = {
      entity,
      readStartedAt: page.data.readStartedAt,
      now: this.#now(),
      settleMs: this.options.settleMs,
    };
    let mismatches = 0;
    let deferred = 0;
    const seen: string[] = [];
    const internalIds = page.data.records.flatMap((r) => (r.internalId ? [r.internalId] : []));
    const inFlight = await this.#unpublished(manager, internalIds);
    // The page's platform copies in one query, by our id and by the owner's: a page of a hundred records
    // costs a handful of statements, not several per record.
    const local = await projections.loadPage(
      manager,
      entity,
      internalIds,
      page.data.records.map((r) => r.externalId),
    );
    // What the platform stated for the fields it writes onto the owner, for every id a record may judge.
    const stated = await platformOwned.loadPage(manager, entity, [
      ...new Set([...internalIds, ...[...local.byExternalId.values()].flat().map((copy) => copy.entityId)]),
    ]);
    const agreed: Array<{ entityId: string; hash: string }> = [];
    const writtenAlike: string[] = [];
    for (const record of page.data.records) {
      const owner: OwnerCopy = {
        externalId: record.externalId,
        internalId: record.internalId ?? null,
        ownerUpdatedAt: record.ownerUpdatedAt,
        deleted: record.deleted ?? false,
        fields: record.fields,
      };
      const linked = local.byExternalId.get(record.externalId) ?? [];
      const stored = (owner.internalId ? local.byId.get(owner.internalId) : undefined) ?? linked[0];
      const entityId = stored?.entityId ?? owner.internalId;
      if (entityId) seen.push(entityId);
      if (linked.length > 1) {
        mismatches += 1;
        for (const duplicate of linked) {
          await this.#record(manager, run, entity, duplicate.entityId, 'duplicate_link', {
            diffs: [],
            local: duplicate.fields,
            owner,
          });
        }
        continue;
      }
      const verdict = compare(context, owner, stored && localCopyOf(stored, inFlight.has(stored.entityId)));
      if (verdict.kind === 'deferred') {
        deferred += 1;
        continue;
      }
      metrics.compared.inc({ entity });
      if (!entityId) {
        // The owner holds an object no platform id names: nothing can be repaired, someone must link it.
        mismatches += 1;
        await this.#record(manager, run, entity, `external:${record.externalId}`, 'missing_locally', {
          diffs: verdict.kind === 'agree' ? [] : verdict.diffs,
          local: null,
          owner,
          decision: 'pending_approval',
        });
        continue;
      }
      // The other direction, judged on its own: what the platform writes onto the owner's object.
      const writeBack = judgeWriteBack(context, owner, stated.get(entityId));
      if (writeBack?.kind === 'agree') writtenAlike.push(entityId);
      if (writeBack?.kind === 'stale_at_owner') {
        mismatches += 1;
        await this.#record(manager, run, entity, entityId, 'stale_at_owner', {
          diffs: writeBack.diffs,
          local: stated.get(entityId)!.fields,
          owner,
        });
      }
      if (verdict.kind === 'agree') {
        agreed.push({ entityId, hash: verdict.hash });
        continue;
      }
      if ((MISMATCH_CLASSES as readonly string[]).includes(verdict.kind)) mismatches += 1;
      const finding = await this.#record(manager, run, entity, entityId, verdict.kind, {
        diffs: verdict.diffs,
        local: stored?.fields ?? null,
        owner,
      });
      // An object the owner lists as deleted (HubSpot's recycling bin) is a deletion like one a complete
      // walk missed: repaired only once a second run sees it too.
      if (verdict.kind === 'missing_at_owner') await this.#holdFirstSighting(manager, finding);
    }
    await projections.markAgreed(manager, entity, agreed);
    await findings.resolveOpen(
      manager,
      entity,
      agreed.map((a) => a.entityId),
      OWNER_WINS_CLASSES,
    );
    await findings.resolveOpen(manager, entity, writtenAlike, ['stale_at_owner']);
    if (run.mode === 'full') await this.options.runs.markSeen(manager, run.id, seen);
    return { compared: page.data.records.length - deferred, mismatches, deferred };
  }

  /**
   * The objects whose event from this service still waits in its outbox: their copy is ahead of what
   * Kafka (and so the owner's connector) has seen. One query a page.
   */
  async #unpublished(manager: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await manager.query(
      `SELECT DISTINCT key FROM outbox WHERE published_at IS NULL AND key = ANY($1::text[])`,
      [[...ids]],
    )) as Array<{ key: string }>;
    return new Set(rows.map((row) => row.key));
  }

  async #record(
    manager: EntityManager,
    run: Run,
    entity: ReconciledEntityName,
    entityId: string,
    findingClass: FindingClass,
    details: {
      diffs: ReadonlyArray<{ field: string; local: string | null; owner: string | null }>;
      local: Readonly<Record<string, string | null>> | null;
      owner: OwnerCopy | null;
      decision?: FindingDecision;
    },
  ): Promise<Finding> {
    const decision = details.decision ?? this.#decide(run, entity, findingClass);
    if ((MISMATCH_CLASSES as readonly string[]).includes(findingClass)) {
      metrics.mismatches.inc({ entity, kind: findingClass });
    }
    return this.options.findings.record(manager, {
      runId: run.id,
      entity,
      entityId,
      class: findingClass,
      decision,
      diffs: details.diffs,
      local: details.local,
      owner: details.owner?.fields ?? null,
      externalId: details.owner?.externalId ?? null,
      ownerVersion: details.owner ? new Date(details.owner.ownerUpdatedAt) : null,
    });
  }

  async #holdFirstSighting(manager: EntityManager, finding: Finding): Promise<void> {
    if (finding.decision === 'repair_pending' && finding.seenCount < 2) {
      await this.options.findings.decide(manager, finding.id, { decision: 'awaiting_second_sighting' });
    }
  }

  #decide(run: Run, entity: ReconciledEntityName, findingClass: FindingClass): FindingDecision {
    if (findingClass === 'ahead_locally' || findingClass === 'unverifiable') return 'none';
    if (!repairsAutomatically(entity, findingClass)) return 'pending_approval';
    if (run.dryRun || !this.options.repairEntities.includes(entity)) return 'dry_run';
    return 'repair_pending';
  }

  /** The guardrail tripped: the run stops, and what it would have repaired is suppressed. */
  async #trip(manager: EntityManager, run: Run, why: string, moreMismatches = 0): Promise<void> {
    const pending = await this.options.findings.pendingRepairs(manager, run.id);
    for (const finding of pending) {
      await this.options.findings.decide(manager, finding.id, { decision: 'suppressed' });
    }
    metrics.repairs.inc({ entity: run.entity, outcome: 'suppressed' }, pending.length);
    metrics.guardrailTrips.inc({ entity: run.entity });
    this.options.logger.error({ runId: run.id, entity: run.entity, why }, 'reconciliation guardrail tripped');
    const finished = await this.options.runs.finish(manager, run.id, 'guardrail_tripped', {
      mismatches: moreMismatches,
      repairsSuppressed: pending.length,
      error: why,
    });
    this.#finished(finished);
  }

  /**
   * The walk reached its end. A full walk may now conclude what the owner no longer holds (a complete walk
   * that did not return it; repaired only when a second full walk misses it too), then the held repairs go
   * out, unless the final counts trip a guardrail.
   */
  async #complete(manager: EntityManager, run: Run, entity: ReconciledEntityName): Promise<void> {
    const { projections, findings, repairer, runs } = this.options;
    let mismatches = 0;
    if (run.mode === 'full') {
      const context = { now: this.#now(), settleMs: this.options.settleMs };
      for (const missing of await projections.notSeenIn(manager, entity, run.id)) {
        if (!missingAtOwner(localCopyOf(missing, false), context)) continue;
        mismatches += 1;
        metrics.mismatches.inc({ entity, kind: 'missing_at_owner' });
        const finding = await findings.record(manager, {
          runId: run.id,
          entity,
          entityId: missing.entityId,
          class: 'missing_at_owner',
          decision: this.#decide(run, entity, 'missing_at_owner'),
          diffs: [],
          local: missing.fields,
          owner: null,
          externalId: missing.externalId,
          ownerVersion: new Date(this.#now()),
        });
        // A deletion is repaired only once a second complete walk misses the object too.
        await this.#holdFirstSighting(manager, finding);
      }
    }
    const pending = await findings.pendingRepairs(manager, run.id);
    const tripped = guardrailTripped(
      { compared: run.compared, mismatches: run.mismatches + mismatches, repairsPending: pending.length },
      this.options.guardrails,
    );
    if (tripped) return this.#trip(manager, run, tripped, mismatches);
    let emitted = 0;
    for (const finding of pending) {
      const result = await repairer.repair(manager, finding, {
        runId: run.id,
        actor: 'reconciliation',
        reason: `owner wins: ${finding.class} found by run ${run.id}`,
      });
      if (result.outcome === 'not_repairable') {
        metrics.repairs.inc({ entity, outcome: 'not_repairable' });
        await findings.decide(manager, finding.id, { decision: 'not_repairable' });
        continue;
      }
      emitted += result.outcome === 'emitted' ? 1 : 0;
      await findings.decide(manager, finding.id, {
        decision: 'repaired',
        status: 'resolved',
        repairEventId: result.eventId,
      });
    }
    const dryRun = await findings.countDryRun(manager, run.id);
    metrics.repairs.inc({ entity, outcome: 'emitted' }, emitted);
    metrics.repairs.inc({ entity, outcome: 'dry_run' }, dryRun);
    if (run.mode === 'incremental' && run.windowTo)
      await runs.advanceWatermark(manager, entity, run.windowTo);
    if (run.mode === 'full') await runs.fullSweepDone(manager, entity, run.startedAt);
    const finished = await runs.finish(manager, run.id, 'succeeded', {
      mismatches,
      repairsEmitted: emitted,
      repairsDryRun: dryRun,
    });
    this.#finished(finished);
  }

  #finished(run: Run): void {
    const labels = { entity: run.entity, mode: run.mode, status: run.status };
    metrics.runs.inc(labels);
    metrics.runDuration.observe(
      labels,
      ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000,
    );
    if (run.compared > 0)
      metrics.driftRatio.set({ entity: run.entity, mode: run.mode }, run.mismatches / run.compared);
    if (run.status === 'succeeded') {
      const at = (run.finishedAt ?? new Date()).getTime() / 1000;
      metrics.lastSuccess.set({ entity: run.entity }, at);
      const owner = isReconciledEntity(run.entity) ? reconciledEntities[run.entity].owner : run.provider;
      metrics.lastSynced.set({ provider: owner, entity: run.entity }, at);
    }
  }
}
