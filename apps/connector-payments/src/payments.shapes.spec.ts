import { describeShapeDeclarations } from '@tributary/connector-sdk/testing';
import { paymentsConnector } from './payments.connector.js';

describeShapeDeclarations({
  app: 'connector-payments',
  appRoot: new URL('../', import.meta.url),
  shapes: paymentsConnector.shapes ?? {},
  clientFile: 'src/stripe/stripe.client.ts',
  personalData: ['receipt_email', 'shipping.name'],
});
