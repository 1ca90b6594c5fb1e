/** Injection tokens of the event log's plain classes (they carry no Nest decorators). */
export const EVENT_LOG_REPOSITORY = Symbol('EventLogRepository');
export const EVENT_LOG_WRITER = Symbol('EventLogWriter');
