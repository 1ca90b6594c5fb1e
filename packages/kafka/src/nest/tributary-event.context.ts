import type { DomainEvent } from '@tributary/contracts';
import { BaseRpcContext } from '@nestjs/microservices';
import type { EventHandlerContext } from '../consumer/reliable-consumer.js';
import type { RawHeaders } from '../headers.js';

/**
 * What an `@EventPattern` handler gets through `@Ctx()`: where the record came from, its raw header bytes
 * (never UTF-8-decoded on your behalf), its delivery attempt, and the heartbeat for long work.
 */
export class TributaryEventContext extends BaseRpcContext<[DomainEvent, EventHandlerContext]> {
  getEvent(): DomainEvent {
    return this.args[0];
  }

  getTopic(): string {
    return this.args[1].topic;
  }

  getPartition(): number {
    return this.args[1].partition;
  }

  getOffset(): string {
    return this.args[1].offset;
  }

  getHeaders(): RawHeaders {
    return this.args[1].headers;
  }

  /** 1 on the original topic, 2 on the first retry tier, and so on. */
  getAttempt(): number {
    return this.args[1].attempt;
  }

  getSignal(): AbortSignal {
    return this.args[1].signal;
  }

  heartbeat(): Promise<void> {
    return this.args[1].heartbeat();
  }
}
