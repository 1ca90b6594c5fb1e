// @tributary/connector-sdk/testing: what a connector's e2e tests need, kept off the root export so that a
// connector app in production never loads the testkit, pg or jest types.
export { describeConnectorConformance } from '../conformance/connector-conformance.js';
export type {
  ConformanceApp,
  ConformanceHarness,
  ConformanceSim,
  ConnectorConformanceOptions,
  LedgerEntry,
} from '../conformance/connector-conformance.js';
export { connectorProcessHarness, findProviderSim } from './process-harness.js';
export type {
  ConnectorOutcome,
  ConnectorProcessHarness,
  ConnectorReplica,
  ConnectorProcessHarnessOptions,
  DeadLetterRecord,
} from './process-harness.js';
export { fakeHandlerContext } from './fake-handler-context.js';
export type {
  ExternalRefWrite,
  FakeHandlerContext,
  FakeHandlerContextOptions,
  LoggedLine,
} from './fake-handler-context.js';
export { TestingErrorCode, sampleEvent } from './sample-event.js';
export type { SampleEventOptions } from './sample-event.js';
export { providerSimProcess, readerHarness } from './reader-harness.js';
export type { ProviderSimProcess, ReadAsk, ReaderHarness, ReaderHarnessOptions } from './reader-harness.js';
// Tests wait on conditions, never on fixed sleeps: the testkit's poller, so a connector needs no testkit import.
export { waitFor } from '@tributary/testkit';
export { describeShapeDeclarations } from './shape-declarations.js';
export type { ShapeDeclarationSuiteOptions } from './shape-declarations.js';
