import { describeConnectorConformance } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';
import { logisticsHarness } from './support.js';

// Needs the builds: `npx turbo run build --filter=@tributary/connector-logistics...` before the e2e run, as
// for every app run as a process.
describeConnectorConformance({
  connectorId: 'logistics',
  setup: logisticsHarness,
  newId: uuidv7,
});
