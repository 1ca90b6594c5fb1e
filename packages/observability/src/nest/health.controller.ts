import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { OBSERVABILITY_OPTIONS } from './observability.options.js';
import type { ObservabilityModuleOptions } from './observability.options.js';
import { ReadinessRegistry } from './readiness.registry.js';

const DEFAULT_TIMEOUT_MS = 3000;

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityModuleOptions,
  ) {}

  /** The process is up and its event loop answers. Never checks dependencies: an outage must not restart pods. */
  @Get('live')
  @HealthCheck()
  live(): { status: 'ok'; service: string; uptimeSeconds: number } {
    return { status: 'ok', service: this.options.service, uptimeSeconds: Math.round(process.uptime()) };
  }

  /** 200 when every dependency answers in time, 503 with the failing ones under `error` otherwise. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(
      this.readiness.list().map((check) =>
        this.indicators
          .check(check.name)
          .attempt(({ signal }) => check.check(signal))
          .withTimeout(check.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      ),
    );
  }
}
