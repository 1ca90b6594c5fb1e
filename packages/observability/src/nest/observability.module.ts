import { Module } from '@nestjs/common';
import type { DynamicModule, ModuleMetadata, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { MetricsController } from './metrics.controller.js';
import { OBSERVABILITY_OPTIONS } from './observability.options.js';
import type { ObservabilityModuleOptions } from './observability.options.js';

export interface ObservabilityModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
  useFactory: (...deps: never[]) => ObservabilityModuleOptions | Promise<ObservabilityModuleOptions>;
}

/**
 * What every app mounts once in its root module: `GET /metrics`, `GET /health/live`, `GET /health/ready`,
 * and the ReadinessRegistry other modules add their checks to. Global, so any module can register a
 * readiness check without importing it. (The ordered shutdown is the service kit's LifecycleModule.)
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    return ObservabilityModule.build({ provide: OBSERVABILITY_OPTIONS, useValue: options }, []);
  }

  /** For options that need other providers, e.g. checks over a pool another module creates. */
  static forRootAsync(options: ObservabilityModuleAsyncOptions): DynamicModule {
    return ObservabilityModule.build(
      {
        provide: OBSERVABILITY_OPTIONS,
        useFactory: options.useFactory as (...deps: unknown[]) => ObservabilityModuleOptions,
        inject: options.inject ?? [],
      },
      options.imports ?? [],
    );
  }

  private static build(
    optionsProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
  ): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ...imports],
      controllers: [MetricsController, HealthController],
      providers: [optionsProvider, ReadinessRegistry],
      exports: [ReadinessRegistry, OBSERVABILITY_OPTIONS],
    };
  }
}
