import { Module } from '@nestjs/common';
import { ProjectionRepository } from './projection.repository.js';
import { ProjectionsConsumer } from './projections.consumer.js';

/** What the platform believes about each entity, kept from its events. */
@Module({
  controllers: [ProjectionsConsumer],
  providers: [ProjectionRepository],
  exports: [ProjectionRepository],
})
export class ProjectionsModule {}
