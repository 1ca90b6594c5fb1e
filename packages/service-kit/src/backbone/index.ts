// The framework-free backbone factory: Postgres, Kafka, the registry, the outbox. Nest services get it
// through ServiceModule (`@tributary/service-kit/nest`); the connector runtime calls it directly.
export { createBackbone, orderingOf, prefixedDefinitions } from './backbone.js';
export type { Backbone } from './backbone.js';
export type { BackboneOptions } from './backbone-options.js';
export { startShapeSampling } from './shape-sampling.js';
export type { ShapeSamplingOptions } from './shape-sampling.js';
