// The framework-free backbone factory: Postgres, Kafka, the registry, the outbox. Nest services get it
// through ServiceModule (`@tributary/service-kit/nest`); the connector runtime calls it directly.
export { createBackbone, orderingOf, prefixedDefinitions } from './backbone.js';
export type { Backbone } from './backbone.js';
export type { BackboneOptions } from './backbone-options.js';
export { createShapeSampling } from './shape-sampling.js';
export type { ShapeSampling, ShapeSamplingOptions } from './shape-sampling.js';
