import { describeConnectorConformance } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';
import { paymentsHarness } from './support.js';

// Needs the builds: `npx turbo run build --filter=@tributary/connector-payments...` before the e2e run, as
// for every app run as a process.
describeConnectorConformance({
  connectorId: 'payments',
  setup: paymentsHarness,
  newId: uuidv7,
});
