import { z } from 'zod';

/** `POST /v1/events` body. `data` is checked against the type's Avro schema by the encoder, not here. */
export const publishEventRequest = z
  .object({
    type: z.string().min(1).max(200).describe('Catalogue event type, e.g. payments.payment.requested.'),
    data: z.record(z.string(), z.unknown()).describe("The payload; must match the type's Avro schema."),
    subject: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "Aggregate id (Kafka key): the payload's key field for the topic, e.g. data.paymentId. Optional; another value is refused (EVENT_KEY_NOT_AGGREGATE_ID).",
      ),
    source: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('ce_source. Default: /tributary/api/<client name>.'),
    time: z.iso.datetime({ offset: true }).optional().describe('ce_time (RFC 3339). Default: now.'),
    correlationId: z.string().min(1).max(200).optional(),
    causationId: z.string().min(1).max(200).optional(),
    traceparent: z
      .string()
      .max(55)
      .optional()
      .describe('W3C trace context; the traceparent header works too.'),
  })
  .strict()
  .meta({ id: 'PublishEventRequest' });

export type PublishEventRequest = z.infer<typeof publishEventRequest>;

export const publishEventResponse = z
  .object({
    eventId: z.uuid().describe('ce_id of the event; the same for every retry with the same Idempotency-Key.'),
    type: z.string(),
    topic: z.string(),
    logId: z.uuid().describe('Event log entry of the request.'),
  })
  .meta({ id: 'PublishedEvent' });

export type PublishEventResponse = z.infer<typeof publishEventResponse>;

/** Printable ASCII, like Stripe's keys: UUIDs, ULIDs or any client-chosen token up to 255 characters. */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;
