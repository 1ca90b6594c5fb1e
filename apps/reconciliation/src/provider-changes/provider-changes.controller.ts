import { Controller, Inject, Req } from '@nestjs/common';
import { actorOf } from '@tributary/service-kit';
import type { RouteInput } from '@tributary/service-kit/http';
import { DATA_SOURCE, Input, Route, principalOf } from '@tributary/service-kit/nest';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { ProviderChangesRepository } from './provider-changes.repository.js';
import {
  acknowledgeProviderChange,
  listProviderChanges,
  listProviderShapes,
  showProviderChange,
} from './provider-changes.routes.js';
import { ProviderChangesService, notFound } from './provider-changes.service.js';

@Controller()
export class ProviderChangesController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly changes: ProviderChangesRepository,
    private readonly service: ProviderChangesService,
  ) {}

  @Route(listProviderChanges)
  async list(@Input() input: RouteInput<typeof listProviderChanges>) {
    const { limit, cursor, ...filter } = input.query;
    const rows = await this.changes.list(this.dataSource.manager, filter, limit + 1, decodeCursor(cursor));
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  @Route(showProviderChange)
  async show(@Input() input: RouteInput<typeof showProviderChange>) {
    const change = await this.changes.get(this.dataSource.manager, input.params.id);
    if (!change) throw notFound();
    return change;
  }

  @Route(acknowledgeProviderChange)
  acknowledge(@Input() input: RouteInput<typeof acknowledgeProviderChange>, @Req() request: FastifyRequest) {
    return this.service.acknowledge(input.params.id, actorOf(principalOf(request)), input.body.reason);
  }

  @Route(listProviderShapes)
  async shapes(@Input() input: RouteInput<typeof listProviderShapes>) {
    const { limit, ...filter } = input.query;
    return { items: await this.changes.listShapes(this.dataSource.manager, filter, limit) };
  }
}
