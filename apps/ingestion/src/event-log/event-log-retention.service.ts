import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ShutdownService } from '@tributary/service-kit/nest';
import { SERVICE_CONFIG } from '@tributary/service-kit/nest';
import type { IngestionConfig } from '../ingestion.config.js';
import type { EventLogRepository } from './event-log.repository.js';
import { EVENT_LOG_REPOSITORY } from './event-log.tokens.js';

/**
 * Deletes event log entries past the retention (which is also the deduplication window). Runs in every
 * instance; concurrent runs only delete the same old rows. Stopped in the `intake` shutdown phase.
 */
@Injectable()
export class EventLogRetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(EventLogRetentionService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
    private readonly shutdown: ShutdownService,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.eventLog.cleanupIntervalMs);
    this.timer.unref();
    this.shutdown.register('intake', 'event log retention', async () => {
      clearInterval(this.timer);
      await this.running;
    });
  }

  runOnce(): Promise<void> {
    this.running ??= this.repository
      .deleteOlderThan(this.config.eventLog.retentionSeconds)
      .then(
        (deleted) => {
          if (deleted > 0) this.logger.log(`deleted ${deleted} event log entries past retention`);
        },
        (error: unknown) => this.logger.warn('event log cleanup failed; next run retries', error),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
