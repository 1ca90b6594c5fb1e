import { Module } from '@nestjs/common';
import { PlatformOwnedRepository } from './platform-owned.repository.js';
import { ProjectionRepository } from './projection.repository.js';
import { ProjectionsConsumer } from './projections.consumer.js';

/** What the platform believes about each entity, and what it stated for owners, kept from its events. */
@Module({
  controllers: [ProjectionsConsumer],
  providers: [ProjectionRepository, PlatformOwnedRepository],
  exports: [ProjectionRepository, PlatformOwnedRepository],
})
export class ProjectionsModule {}
