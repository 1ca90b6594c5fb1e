import 'reflect-metadata';
import { AvroEventDecoder } from '@tributary/kafka';
import { TributaryKafkaServer } from '@tributary/kafka/nest';
import { bootstrapApp } from '@tributary/observability/nest';
import type { Kafka } from 'kafkajs';
import { AppModule } from './app.module.js';
import { CHECKOUT_IGNORED_EVENT_TYPES } from './checkout/checkout.consumer.js';
import { loadConfig } from './example-service.config.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';
import { EXAMPLE_SERVICE_TOPICS, KAFKA } from './messaging/messaging.module.js';

const config = loadConfig();
await bootstrapApp(AppModule.forRoot(config), {
  service: 'example-service',
  port: config.port,
  logLevel: config.logLevel,
  configure: async (app) => {
    app.useGlobalFilters(new ProblemDetailsFilter());
    // Consumers stop before the ShutdownService phases run (Nest closes transports first), so the relay and
    // the pool they write through are still open while in-flight handlers finish.
    app.connectMicroservice({
      strategy: new TributaryKafkaServer({
        kafka: app.get<Kafka>(KAFKA),
        decoder: app.get(AvroEventDecoder),
        groupId: config.kafka.consumerGroup,
        topics: EXAMPLE_SERVICE_TOPICS.map((topic) => `${config.kafka.topicPrefix}${topic}`),
        ignoredEventTypes: CHECKOUT_IGNORED_EVENT_TYPES,
        retryTiers: config.kafka.retryTiers,
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        createTopics: true,
        // A new group starts at the oldest retained event: a service deployed after its first events must still see them.
        fromBeginning: true,
      }),
    });
    await app.startAllMicroservices();
  },
});
