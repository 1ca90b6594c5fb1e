export { startProviderSim } from './server.js';
export type { ProviderSim, ProviderSimOptions } from './server.js';
export { faultSchema } from './faults.js';
export type { Fault } from './faults.js';
export type { LedgerEntry } from './ledger.js';
