import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ShutdownService } from '@tributary/service-kit/nest';
import { SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import { ReplayService } from './replay.service.js';

/**
 * Every few seconds, maps again the recent webhooks whose references did not exist yet, so a callback
 * that overtook the connector's commit (a tracker update before the shipment's refs) still becomes its
 * event without an operator's replay. Older ones stay `unresolved` for a person to look at. Runs in every
 * instance (locked rows are skipped); stopped in the `intake` shutdown phase.
 */
@Injectable()
export class UnresolvedRetryService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UnresolvedRetryService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly replay: ReplayService,
    private readonly shutdown: ShutdownService,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs } = this.config.unresolvedRetry;
    if (intervalMs === 0) return;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
    this.shutdown.register('intake', 'unresolved webhook retry', async () => {
      clearInterval(this.timer);
      await this.running;
    });
  }

  runOnce(): Promise<void> {
    const since = new Date(Date.now() - this.config.unresolvedRetry.windowMs);
    this.running ??= this.replay
      .retryUnresolved(since, 100)
      .then(
        ({ remapped }) => {
          if (remapped > 0) this.logger.log(`mapped ${remapped} webhooks whose references now exist`);
        },
        (error: unknown) => this.logger.warn('unresolved webhook retry failed; next run retries', error),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
