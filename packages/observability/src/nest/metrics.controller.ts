import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';
import { OBSERVABILITY_OPTIONS } from './observability.options.js';
import type { ObservabilityModuleOptions } from './observability.options.js';
import { registry as sharedRegistry } from '../metrics.js';

@Controller()
export class MetricsController {
  private readonly registry: Registry;

  constructor(@Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions) {
    this.registry = options.registry ?? sharedRegistry;
  }

  /** Prometheus text exposition of the registry. */
  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
