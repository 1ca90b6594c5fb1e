import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { Server } from '@nestjs/microservices';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import { ReliableConsumer } from '../consumer/reliable-consumer.js';
import type { EventHandlerContext, ReliableConsumerOptions } from '../consumer/reliable-consumer.js';
import { KafkaErrorCodes } from '../error-codes.js';
import { TributaryEventContext } from './tributary-event.context.js';

/** Transport id, for `@EventPattern(type, TRIBUTARY_KAFKA_TRANSPORT)` in apps with several transports. */
export const TRIBUTARY_KAFKA_TRANSPORT = Symbol('TributaryKafka');

export type TributaryKafkaServerOptions = Omit<ReliableConsumerOptions, 'handler'> & {
  /**
   * Event types on the subscribed topics that this group deliberately leaves alone (topics carry several
   * types of one aggregate): committed and skipped. Any other type without a handler still fails with
   * UNKNOWN_EVENT_TYPE, so a forgotten handler is caught in the DLQ instead of silently skipped.
   */
  readonly ignoredEventTypes?: readonly string[];
};

type Status = 'connected' | 'disconnected';

/**
 * A Nest microservice transport over the reliable consumer, replacing the stock Kafka transport (which
 * blocks a partition on a failing handler, has no DLQ and decodes every header as UTF-8). Handlers are
 * `@EventPattern('<ce_type>')` methods receiving the DomainEvent and a TributaryEventContext. An event whose
 * type no handler declares fails with UNKNOWN_EVENT_TYPE (not retriable) and goes to the group's DLQ.
 */
export class TributaryKafkaServer
  extends Server<Record<string, never>, Status>
  implements CustomTransportStrategy
{
  override readonly transportId = TRIBUTARY_KAFKA_TRANSPORT;
  /** We await each handler's outcome and route failures ourselves; Nest need not log them as lost. */
  override readonly propagatesEventHandlerErrors = true;

  private consumer: ReliableConsumer | undefined;
  private warnedAboutFilter = false;
  private readonly ignored: ReadonlySet<string>;

  constructor(private readonly options: TributaryKafkaServerOptions) {
    super();
    this.ignored = new Set(options.ignoredEventTypes ?? []);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { ignoredEventTypes: _ignored, ...consumerOptions } = this.options;
      this.consumer = new ReliableConsumer({
        ...consumerOptions,
        handler: (event, ctx) => this.dispatch(event, ctx),
      });
      await this.consumer.start();
      this._status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this._status$.next('disconnected');
  }

  on(): never {
    throw new Error(
      'TributaryKafkaServer does not emit transport events; observe ReliableConsumer.kafkaConsumer',
    );
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('TributaryKafkaServer is not listening yet');
    return this.consumer as T;
  }

  private async dispatch(event: DomainEvent, ctx: EventHandlerContext): Promise<void> {
    const handler = this.messageHandlers.get(this.normalizePattern(event.type));
    if (!handler && this.ignored.has(event.type)) return;
    if (!handler?.isEventHandler) {
      throw new TributaryError(
        KafkaErrorCodes.UNKNOWN_EVENT_TYPE,
        `no @EventPattern handler for event type ${event.type} in group ${this.options.groupId}`,
      );
    }
    const context = new TributaryEventContext([event, ctx]);
    try {
      await new Promise<void>((resolve, reject) => {
        const hooked: unknown = this.runWithProcessingHooks(context, async (runEndHook) => {
          try {
            const result = await handler(event, context);
            if (isObservable(result))
              await lastValueFrom(result.pipe(finalize(runEndHook)), { defaultValue: undefined });
            else runEndHook();
            resolve();
          } catch (error) {
            reject(error);
            throw error;
          }
        });
        // The default hook returns the handler's promise; its rejection is already delivered through `reject`.
        if (hooked instanceof Promise) hooked.catch(() => {});
      });
    } catch (error) {
      throw this.unwrapNestError(error);
    }
  }

  /** Without TributaryEventErrorFilter, Nest replaces errors by a plain `{ status, message }` object. */
  private unwrapNestError(error: unknown): unknown {
    const looksFiltered =
      typeof error === 'object' &&
      error !== null &&
      !(error instanceof Error) &&
      (error as { status?: unknown }).status === 'error';
    if (!looksFiltered) return error;
    if (!this.warnedAboutFilter) {
      this.warnedAboutFilter = true;
      this.logger.warn(
        'An event handler error reached the transport without its code: register TributaryEventErrorFilter ' +
          '(app.useGlobalFilters) so non-retriable errors go straight to the DLQ. Treating it as retriable.',
      );
    }
    return new TributaryError(
      'UNCLASSIFIED',
      String((error as { message?: unknown }).message ?? 'handler failed'),
      {
        retriable: true,
        cause: error,
      },
    );
  }
}
