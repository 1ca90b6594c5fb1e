/** The apps the soak runs two of (issue 16), and SIGKILLs. */
export const REPLICATED_APPS = [
  'ingestion',
  'dlq-handler',
  'connector-payments',
  'connector-crm',
  'connector-logistics',
] as const;
