import { Controller, Inject, Req } from '@nestjs/common';
import { ProblemError, actorOf } from '@tributary/service-kit';
import type { RouteInput } from '@tributary/service-kit/http';
import { DATA_SOURCE, Input, Route, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { FindingsRepository } from './findings.repository.js';
import { FindingsService } from './findings.service.js';
import { approveFinding, dismissFinding, listFindings, showFinding } from './findings.routes.js';

@Controller()
export class FindingsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly findings: FindingsRepository,
    private readonly service: FindingsService,
  ) {}

  @Route(listFindings)
  async list(@Input() input: RouteInput<typeof listFindings>) {
    const { limit, cursor, ...filter } = input.query;
    const rows = await this.findings.list(this.dataSource.manager, filter, limit + 1, decodeCursor(cursor));
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  @Route(showFinding)
  async show(@Input() input: RouteInput<typeof showFinding>) {
    const finding = await this.findings.get(this.dataSource.manager, input.params.id);
    if (!finding) throw new ProblemError('RECONCILIATION_FINDING_NOT_FOUND', 'No finding has this id.');
    return finding;
  }

  @Route(approveFinding)
  approve(@Input() input: RouteInput<typeof approveFinding>, @Req() request: FastifyRequest) {
    return this.service.approve(input.params.id, actorOf(principalOf(request)), input.body.reason);
  }

  @Route(dismissFinding)
  dismiss(@Input() input: RouteInput<typeof dismissFinding>, @Req() request: FastifyRequest) {
    return this.service.dismiss(input.params.id, actorOf(principalOf(request)), input.body.reason);
  }
}
