import { Inject, Injectable } from '@nestjs/common';
import { OBSERVABILITY_OPTIONS } from './observability.options.js';
import type { ObservabilityModuleOptions } from './observability.options.js';
import type { ReadinessCheck } from '../health/readiness.js';

/**
 * The checks `/health/ready` runs: those given to `ObservabilityModule.forRoot` plus those other modules add
 * at init (the kafka module adds its cluster check when it creates its admin client), so a dependency's own
 * module owns its check.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(@Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions) {
    for (const check of options.readiness ?? []) this.add(check);
  }

  /** Adds a check; a second check under the same name replaces the first. */
  add(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  remove(name: string): void {
    this.checks.delete(name);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
