import { describeShapeDeclarations } from '@tributary/connector-sdk/testing';
import { logisticsConnector } from './logistics.connector.js';

describeShapeDeclarations({
  app: 'connector-logistics',
  appRoot: new URL('../', import.meta.url),
  shapes: logisticsConnector.shapes ?? {},
  clientFile: 'src/easypost/easypost.client.ts',
  personalData: ['to_address.name', 'to_address.street1', 'to_address.street2'],
});
