export * from './observation.js';
export { canonicalShape, shapeOf, ShapeCache } from './shape.js';
export { exampleOf, MAX_EXAMPLE_BYTES } from './example.js';
export type { SampleShape } from './shape.js';
export { ShapeObserver } from './observer.js';
export type { ShapeObserverOptions } from './observer.js';
export { providerShapesEnv, providerShapesConfig } from './config.js';
export type { ProviderShapesConfig } from './config.js';
