/**
 * The apps the soak runs several of and SIGKILLs: the ingestion, DLQ handler and connectors, and the
 * example service where orders are placed, so that a kill of one replica refuses no order (the runner's
 * front door passes it to the other).
 */
export const REPLICATED_APPS = [
  'ingestion',
  'example-service',
  'dlq-handler',
  'connector-payments',
  'connector-crm',
  'connector-logistics',
] as const;
