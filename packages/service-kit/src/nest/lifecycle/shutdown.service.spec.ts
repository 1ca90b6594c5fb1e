import 'reflect-metadata';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { LifecycleModule } from './lifecycle.module.js';
import { ShutdownService } from './shutdown.service.js';

describe('ShutdownService', () => {
  async function compile(stepTimeoutMs?: number) {
    const moduleRef = await Test.createTestingModule({
      imports: [LifecycleModule.forRoot({ shutdownStepTimeoutMs: stepTimeoutMs })],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    return { app, shutdown: app.get(ShutdownService) };
  }

  it('runs registered steps phase by phase on close, whatever the registration order', async () => {
    const { app, shutdown } = await compile();
    const order: string[] = [];
    const step = (name: string) => async () => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push(name);
    };
    shutdown.register('resources', 'pg-pool', step('pg-pool'));
    shutdown.register('producers', 'outbox-relay', step('outbox-relay'));
    shutdown.register('consumers', 'billing-consumer', step('billing-consumer'));
    shutdown.register('intake', 'poller', step('poller'));
    const unregister = shutdown.register('consumers', 'removed', step('removed'));
    unregister();

    await app.close();

    expect(order).toEqual(['poller', 'billing-consumer', 'outbox-relay', 'pg-pool']);
    expect(shutdown.failed).toBe(false);
  });

  it('still closes later phases when a step fails or hangs, then fails the shutdown', async () => {
    const { app, shutdown } = await compile(50);
    const order: string[] = [];
    shutdown.register('consumers', 'broken', () => {
      throw new Error('commit failed');
    });
    shutdown.register('consumers', 'stuck', () => new Promise<void>(() => {}));
    shutdown.register('resources', 'pg-pool', () => void order.push('pg-pool'));

    await app.close();

    expect(order).toEqual(['pg-pool']);
    expect(shutdown.failed).toBe(true);
    await expect(shutdown.shutdown()).rejects.toThrow(
      /consumers\/broken failed: commit failed; consumers\/stuck timed out after 50 ms/,
    );
  });
});
