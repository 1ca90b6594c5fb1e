// The Nest transport lives behind its own subpath so that `@tributary/kafka` loads no Nest module: scripts,
// the CLI and framework-free code use the client, serde, producer and consumer without @nestjs/* installed
// or loaded.
export { TRIBUTARY_KAFKA_TRANSPORT, TributaryKafkaServer } from './tributary-kafka.server.js';
export type { TributaryKafkaServerOptions } from './tributary-kafka.server.js';
export { TributaryEventContext } from './tributary-event.context.js';
export { TributaryEventErrorFilter } from './tributary-event-error.filter.js';
