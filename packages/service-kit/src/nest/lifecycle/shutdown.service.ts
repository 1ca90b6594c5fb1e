import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { SHUTDOWN_PHASES } from '../../lifecycle/shutdown-phases.js';
import type { ShutdownPhase, ShutdownStepRun } from '../../lifecycle/shutdown-phases.js';

/** Longest a single shutdown step may take before the next phase starts anyway. */
export const SHUTDOWN_STEP_TIMEOUT_MS = Symbol('tributary:shutdown-step-timeout-ms');

interface RegisteredStep {
  readonly name: string;
  readonly run: ShutdownStepRun;
}

const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/**
 * Ordered graceful shutdown for every app. Modules register their drain and close steps here instead of
 * closing clients in their own lifecycle hooks, so a pool is never closed before the consumer using it has
 * drained. Runs from `onApplicationShutdown`, i.e. after Nest closed the HTTP server and any transport.
 *
 * Steps of one phase run concurrently; a failing or hanging step is logged and the next phase starts anyway
 * (a process that never exits is worse than an undrained consumer: the inbox makes redelivery harmless).
 * The shutdown then counts as failed: `failed` turns true and `bootstrapApp` exits with status 1 (Nest
 * itself only logs errors thrown by shutdown hooks).
 */
@Injectable()
export class ShutdownService implements OnApplicationShutdown {
  private readonly logger = new Logger(ShutdownService.name);
  private readonly steps = new Map<ShutdownPhase, RegisteredStep[]>(SHUTDOWN_PHASES.map((p) => [p, []]));
  private readonly stepTimeoutMs: number;
  private running: Promise<void> | undefined;
  private readonly failures: string[] = [];

  constructor(@Inject(SHUTDOWN_STEP_TIMEOUT_MS) stepTimeoutMs: number | undefined) {
    this.stepTimeoutMs = stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  }

  /** Registers a step; the returned function unregisters it (for components stopped earlier). */
  register(phase: ShutdownPhase, name: string, run: ShutdownStepRun): () => void {
    const step = { name, run };
    this.steps.get(phase)!.push(step);
    return () => {
      const list = this.steps.get(phase)!;
      const index = list.indexOf(step);
      if (index >= 0) list.splice(index, 1);
    };
  }

  onApplicationShutdown(signal?: string): Promise<void> {
    return this.shutdown(signal);
  }

  /** True once a shutdown ran and a step failed or timed out. */
  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** Runs all phases once; later calls wait for the same run, which rejects when a step failed. */
  shutdown(signal?: string): Promise<void> {
    this.running ??= this.runPhases(signal);
    return this.running;
  }

  private async runPhases(signal?: string): Promise<void> {
    this.logger.log('shutting down', { signal });
    for (const phase of SHUTDOWN_PHASES) {
      const steps = this.steps.get(phase)!;
      if (steps.length === 0) continue;
      const results = await Promise.all(steps.map((step) => this.runStep(phase, step)));
      this.failures.push(...results.filter((failure): failure is string => failure !== undefined));
    }
    if (this.failures.length > 0) {
      throw new Error(`shutdown incomplete: ${this.failures.join('; ')}`);
    }
    this.logger.log('shutdown complete');
  }

  private async runStep(phase: ShutdownPhase, step: RegisteredStep): Promise<string | undefined> {
    const started = performance.now();
    const abandon = new AbortController();
    try {
      const outcome = await Promise.race([
        Promise.resolve()
          .then(step.run)
          .then(() => 'done' as const),
        delay(this.stepTimeoutMs, 'timeout' as const, { signal: abandon.signal }),
      ]);
      const durationMs = Math.round(performance.now() - started);
      if (outcome === 'timeout') {
        this.logger.error('shutdown step timed out', {
          phase,
          step: step.name,
          timeoutMs: this.stepTimeoutMs,
        });
        return `${phase}/${step.name} timed out after ${this.stepTimeoutMs} ms`;
      }
      this.logger.log('shutdown step done', { phase, step: step.name, durationMs });
      return undefined;
    } catch (err) {
      this.logger.error('shutdown step failed', { phase, step: step.name }, err);
      return `${phase}/${step.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      abandon.abort();
    }
  }
}
