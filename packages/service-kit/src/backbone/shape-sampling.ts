import { randomUUID } from 'node:crypto';
import type { EventOf } from '@tributary/contracts';
import { PERSONAL_DATA_FIELDS, createRedactor } from '@tributary/observability';
import type { Redactor } from '@tributary/observability';
import { ShapeObserver, endpointKeyOf, shapesObservedData } from '@tributary/provider-shapes';
import type {
  EndpointDeclaration,
  ProviderShapesConfig,
  ShapeObservation,
  ShapeSurface,
} from '@tributary/provider-shapes';
import type { ShutdownPhase, ShutdownStepRun } from '../lifecycle/shutdown-phases.js';
import type { Backbone } from './backbone.js';

export interface ShapeSamplingOptions {
  readonly backbone: Pick<Backbone, 'dataSource' | 'outbox' | 'logger' | 'service'>;
  readonly config: ProviderShapesConfig;
  readonly surface: ShapeSurface;
  readonly declarationOf: (provider: string, endpoint: string) => EndpointDeclaration | undefined;
  /** The app's shutdown: the last window is sent in its `consumers` phase. */
  readonly shutdown: { register(phase: ShutdownPhase, name: string, run: ShutdownStepRun): unknown };
}

/**
 * Starts sampling provider shapes in a service (docs/architecture.md#provider-shapes) and answers the
 * observer to feed, or undefined when PROVIDER_SHAPES=off (callers then skip the walk entirely). Kept
 * strings of examples are redacted like log lines (secrets, the ownership map's personal data fields, the
 * endpoint's declared provider paths); each window's observations go through the outbox in one short
 * transaction of their own, never in a handler's, so sampling can neither slow nor fail the work it
 * samples. The last window is sent in the `consumers` phase of shutdown, while the relay still runs: a call
 * finishing during that phase is lost to sampling, never to the platform's events.
 */
export function startShapeSampling(options: ShapeSamplingOptions): ShapeObserver | undefined {
  const { backbone, config, surface } = options;
  if (!config.enabled) return undefined;
  const logger = backbone.logger.child({ component: 'provider-shapes' });
  const redactors = new Map<string, Redactor>();
  const redactorFor = (personalData: readonly string[]): Redactor => {
    const key = personalData.join('\u0000');
    let redactor = redactors.get(key);
    if (!redactor) {
      redactor = createRedactor([], [...PERSONAL_DATA_FIELDS, ...personalData]);
      redactors.set(key, redactor);
    }
    return redactor;
  };
  const source = `/tributary/${backbone.service}`;
  const observer = new ShapeObserver({
    surface,
    observer: backbone.service,
    declarationOf: options.declarationOf,
    redact: (value, personalData) => redactorFor(personalData)(value),
    flushIntervalMs: config.flushIntervalMs,
    send: (observations) =>
      backbone.dataSource.transaction(async (manager) => {
        for (const observation of observations)
          await backbone.outbox.publishEvent(manager, shapesEvent(observation, source));
      }),
    onSendError: (error) => logger.warn({ err: error }, 'provider shapes not sent: kept for the next window'),
    onObserveError: (error) => logger.warn({ err: error }, 'provider shape sample dropped'),
  });
  options.shutdown.register('consumers', 'provider shape sampling', () => observer.stop());
  observer.start();
  return observer;
}

function shapesEvent(
  observation: ShapeObservation,
  source: string,
): EventOf<'integrations.provider.shapes_observed'> {
  return {
    id: randomUUID(),
    type: 'integrations.provider.shapes_observed',
    source,
    subject: endpointKeyOf(observation),
    time: observation.windowEnd.toISOString(),
    data: shapesObservedData(observation),
  };
}
