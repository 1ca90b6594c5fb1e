/** The service's config object (its own type: each app injects it as its `XxxConfig`). */
export const SERVICE_CONFIG = Symbol('tributary:service-config');
/** The ServiceModule options the bootstrap reads (the Kafka consumer to attach). */
export const SERVICE_OPTIONS = Symbol('tributary:service-options');
/** The Backbone object; its clients are also provided one by one below. */
export const BACKBONE = Symbol('tributary:backbone');
export const DATA_SOURCE = Symbol('tributary:data-source');
export const KAFKA = Symbol('tributary:kafka');
export const KAFKA_ADMIN = Symbol('tributary:kafka-admin');
/** The service's pino logger, for components that log structured fields (consumers, relays). */
export const LOGGER = Symbol('tributary:logger');
/** The catalogue's definitions with this deployment's topic prefix. */
export const EVENT_DEFINITIONS = Symbol('tributary:event-definitions');
export const PROBLEM_CATALOGUE = Symbol('tributary:problem-catalogue');
