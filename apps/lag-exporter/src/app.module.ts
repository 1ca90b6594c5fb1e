import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { defineProblems } from '@tributary/service-kit';
import { ServiceModule } from '@tributary/service-kit/nest';
import { lagExporterMigrations } from './lag/history.migration.js';
import { LagExporterModule } from './lag/lag-exporter.module.js';
import type { LagExporterConfig } from './lag-exporter.config.js';

@Module({})
export class AppModule {
  static forRoot(config: LagExporterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          config,
          migrations: lagExporterMigrations,
          // It reads the cluster's metadata and publishes nothing: no relay, no catalogue topics.
          publishes: false,
          // No API of its own: /metrics and /health/* only.
          problems: defineProblems({}),
        }),
        LagExporterModule,
      ],
    };
  }
}
