import type { Registry } from 'prom-client';
import type { ReadinessCheck } from '../health/readiness.js';

export interface ObservabilityModuleOptions {
  /** App name, reported by `/health/live`. */
  service: string;
  /** Dependencies `/health/ready` checks; more can be added at runtime through ReadinessRegistry. */
  readiness?: ReadinessCheck[];
  /** Registry `/metrics` serves. Default: the shared registry with the standard metrics. */
  registry?: Registry;
}

export const OBSERVABILITY_OPTIONS = Symbol('tributary:observability-options');
