// The soak for the end-to-end test in packages/cli (the subpath @tributary/bench/soak).
export { runSoak, EVENTS_PER_ORDER } from '../suites/soak/run.js';
export type { SoakOptions, SoakResult } from '../suites/soak/run.js';
export type { SoakPlatform, SoakPlatformOptions, StartPlatform } from '../suites/soak/platform.js';
export { goalLine } from '../goals.js';
export { soakGoals } from '../suites/soak/report.js';
