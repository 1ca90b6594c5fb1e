import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { SHUTDOWN_STEP_TIMEOUT_MS, ShutdownService } from './shutdown.service.js';

export interface LifecycleModuleOptions {
  /** Longest a single shutdown step may take before the next phase starts anyway. Default 10 s. */
  readonly shutdownStepTimeoutMs?: number;
}

/** The ordered shutdown every module registers its drain and close steps with. Global. */
@Module({})
export class LifecycleModule {
  static forRoot(options: LifecycleModuleOptions = {}): DynamicModule {
    return {
      module: LifecycleModule,
      global: true,
      providers: [
        { provide: SHUTDOWN_STEP_TIMEOUT_MS, useValue: options.shutdownStepTimeoutMs },
        ShutdownService,
      ],
      exports: [ShutdownService],
    };
  }
}
