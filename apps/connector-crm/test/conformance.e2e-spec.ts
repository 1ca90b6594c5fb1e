import { describeConnectorConformance } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';
import { crmHarness } from './support.js';

// Needs the builds: `npx turbo run build --filter=@tributary/connector-crm...` before the e2e run, as for
// every app run as a process.
describeConnectorConformance({
  connectorId: 'crm',
  setup: crmHarness,
  newId: uuidv7,
});
