import { runConnector } from '@tributary/connector-sdk';
import { paymentsConnector } from './payments.connector.js';

await runConnector(paymentsConnector);
