import { describeShapeDeclarations } from '@tributary/connector-sdk/testing';
import { crmConnector } from './crm.connector.js';

// HubSpot's error messages quote the values they refused: `message` is personal data too.
describeShapeDeclarations({
  app: 'connector-crm',
  appRoot: new URL('../', import.meta.url),
  shapes: crmConnector.shapes ?? {},
  clientFile: 'src/hubspot/hubspot.client.ts',
  personalData: ['firstname', 'lastname', 'message'],
});
