import { runConnector } from '@tributary/connector-sdk';
import { crmConnector } from './crm.connector.js';

await runConnector(crmConnector);
