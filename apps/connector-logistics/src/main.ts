import { runConnector } from '@tributary/connector-sdk';
import { logisticsConnector } from './logistics.connector.js';

await runConnector(logisticsConnector);
