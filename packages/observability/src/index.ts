export { metrics, registry } from './metrics.js';
export type { Metrics } from './metrics.js';
