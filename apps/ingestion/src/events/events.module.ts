import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { EventsController } from './events.controller.js';
import { InternalEventsService } from './internal-events.service.js';

@Module({
  imports: [ApiKeysModule],
  controllers: [EventsController],
  providers: [InternalEventsService],
})
export class EventsModule {}
