export type { AvroRecordSchema, DomainEvent, EventDefinition } from './events.js';
export { TributaryError, classifyError } from './errors.js';

// The event catalogue, generated from schemas/ by scripts/generate.ts.
export { eventCatalogue, eventTypes } from './generated/events.js';
export type * from './generated/events.js';
export {
  defineTranslation,
  deprecationWindowProblems,
  eventTranslations,
  findEventDefinition,
  isEventType,
} from './catalogue.js';
export type { AnyEvent, EventOf, EventTranslation } from './catalogue.js';

export {
  eventTypeFor,
  generatedTypeNameFor,
  namespaceFor,
  schemaTextOf,
  subjectFor,
  topicNameFor,
} from './naming.js';
// Retry and DLQ topic names belong to the consumer runner: see retry-topics in @tributary/kafka.
export { topicCatalogue, topics } from './topics.js';
export type { TopicDefinition } from './topics.js';
export { ownershipMap, ownershipOfTopic, platformAuditedActions } from './ownership.js';
export type { CachePolicy, EntityName, EntityOwnership, TeamLabel } from './ownership.js';
export {
  FINDING_CLASSES,
  MISMATCH_CLASSES,
  fieldDiffs,
  isReconciledEntity,
  ownedFieldsOf,
  platformOwnedDiffs,
  readableFieldsOf,
  reconciledEntities,
} from './reconciliation.js';
export type { FindingClass, OwnerFields, ReconciledEntity, ReconciledEntityName } from './reconciliation.js';

// Schema tooling: compatibility, registry administration, code generation (used by scripts/ and tests).
export { checkCompatibility, compatibilityLevels } from './tooling/compatibility.js';
export type {
  CompatibilityIssue,
  CompatibilityLevel,
  CompatibilityOptions,
  CompatibilityResult,
  PreviousVersion,
} from './tooling/compatibility.js';
export { SchemaRegistryAdmin, SchemaRegistryError } from './tooling/registry-admin.js';
export type { RegisteredSchema, SchemaRegistryAdminOptions } from './tooling/registry-admin.js';
export { defaultSchemasDir, loadSchemaFiles, parseSchemaFile, subjectOf } from './tooling/schema-files.js';
export type { SchemaFile } from './tooling/schema-files.js';
export { baselineFiles, checkSchemas, gitBaseline } from './tooling/check.js';
export { resolveGitBase } from './tooling/git-base.js';
export type { GitBase } from './tooling/git-base.js';
export type {
  RemovedSchema,
  SchemaBaseline,
  SchemaCheckOptions,
  SchemaCheckReport,
  SchemaCheckResult,
} from './tooling/check.js';
export { registerSchemas } from './tooling/register.js';
export type { RegisterOptions, RegistrationResult } from './tooling/register.js';
export { generatedHeader, renderEventsModule } from './tooling/codegen.js';
