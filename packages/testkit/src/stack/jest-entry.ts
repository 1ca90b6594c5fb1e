// What the jest global setup loads: only the stack modules, none of the test helpers (which pull in
// kafkajs admin helpers and child-process tracking the main jest process does not need).
export { acquireStack } from './acquire.js';
export { endpointsToEnv } from './endpoints.js';
