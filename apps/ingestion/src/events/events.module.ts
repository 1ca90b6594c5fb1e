import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { InternalEventsService } from './internal-events.service.js';

@Module({
  controllers: [EventsController],
  providers: [InternalEventsService],
})
export class EventsModule {}
