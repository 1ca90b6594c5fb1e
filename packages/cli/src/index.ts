export { ensureCatalogueTopics } from './commands/topics.js';
export { startPlatform } from './platform/platform.js';
export type { PlatformOptions, RunningPlatform } from './platform/platform.js';
