import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { returnedRows } from './dead-letters.sql.js';
import { DEAD_LETTER_TRANSITIONS, statusesAllowing } from './domain/dead-letter.js';
import type { DeadLetterCapture } from './domain/dead-letter.js';
import type { DecodedValue } from './domain/value-decoder.js';

export type CaptureOutcome = 'created' | 'failed_again' | 'redelivered';

/**
 * What the DLQ consumer writes: each consumed dead letter, stored once per origin however often it is read,
 * and the resolution signals that close a replay. Unqualified names: the DataSource's search path is the
 * app's schema.
 */
export class CaptureStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores one consumed DLQ record. A row is found by the dead-letter id a replay put on the record, else by
   * where the record first failed; a DLQ position already applied is a redelivery and changes nothing.
   */
  async capture(
    capture: DeadLetterCapture,
    decoded: DecodedValue,
  ): Promise<{ id: string; outcome: CaptureOutcome }> {
    return this.dataSource.transaction(async (manager) => {
      const position = `${capture.dlqTopic}:${capture.dlqPartition}:${capture.dlqOffset}`;
      let existing = await this.findForCapture(manager, capture);
      if (!existing) {
        const id = uuidv7();
        const inserted = (await manager.query(
          `INSERT INTO dead_letters (id, consumer_group, original_topic, original_partition, original_offset,
             original_timestamp, dlq_topic, dlq_partition, dlq_offset, dlq_positions, event_id, event_type,
             error_code, error_class, error_message, error_stack, attempts, first_failed_at, last_failed_at,
             raw_key, raw_value, headers, value_format, schema_id, decoded_value, decode_error, status, replay_topic)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ARRAY[$10], $11, $12, $13, $14, $15, $16, $17, $18, $18,
             $19, $20, $21::jsonb, $22, $23, $24::jsonb, $25, 'pending', $26)
           ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING
           RETURNING id`,
          [
            id,
            capture.consumerGroup,
            capture.originalTopic,
            capture.originalPartition,
            capture.originalOffset,
            capture.originalTimestamp,
            capture.dlqTopic,
            capture.dlqPartition,
            capture.dlqOffset,
            position,
            capture.eventId,
            capture.eventType,
            capture.errorCode,
            capture.errorClass,
            capture.errorMessage,
            capture.errorStack,
            capture.attempts,
            capture.failedAt,
            capture.key,
            capture.value,
            JSON.stringify(capture.headers),
            decoded.kind,
            decoded.kind === 'avro' ? decoded.schemaId : null,
            decoded.kind === 'none' ? null : JSON.stringify(decoded.json),
            decoded.kind === 'none' ? decoded.reason : null,
            capture.replayTopic,
          ],
        )) as { id: string }[];
        if (inserted.length > 0) return { id, outcome: 'created' as const };
        // Lost a race with another capture of the same origin (it committed while this insert waited).
        existing = await this.findForCapture(manager, capture);
        if (!existing) throw new Error(`dead letter of ${position} conflicted but cannot be found`);
      }
      if (existing.dlq_positions.includes(position))
        return { id: existing.id, outcome: 'redelivered' as const };
      await manager.query(
        `UPDATE dead_letters SET
           dlq_topic = $2, dlq_partition = $3, dlq_offset = $4, dlq_positions = array_append(dlq_positions, $5),
           error_code = $6, error_class = $7, error_message = $8, error_stack = $9,
           attempts = GREATEST(attempts + 1, $10), dead_lettered_count = dead_lettered_count + 1,
           last_failed_at = GREATEST(last_failed_at, $11), headers = $12::jsonb,
           replay_topic = COALESCE($13, replay_topic),
           status = CASE WHEN status = ANY($14::text[]) THEN $15 ELSE status END,
           status_reason = CASE WHEN status = ANY($14::text[]) THEN 'failed again after replay' ELSE status_reason END,
           replay_stalled_at = NULL, replay_pending = false, replay_sending_since = NULL, claimed_by = NULL,
           claim_expires_at = NULL, updated_at = now(),
           raw_key = CASE WHEN scrubbed_at IS NULL THEN raw_key ELSE $16 END,
           raw_value = CASE WHEN scrubbed_at IS NULL THEN raw_value ELSE $17 END,
           value_format = CASE WHEN scrubbed_at IS NULL THEN value_format ELSE $18 END,
           schema_id = CASE WHEN scrubbed_at IS NULL THEN schema_id ELSE $19 END,
           decoded_value = CASE WHEN scrubbed_at IS NULL THEN decoded_value ELSE $20::jsonb END,
           decode_error = CASE WHEN scrubbed_at IS NULL THEN decode_error ELSE $21 END,
           scrubbed_at = NULL, scrub_reason = NULL
         WHERE id = $1`,
        [
          existing.id,
          capture.dlqTopic,
          capture.dlqPartition,
          capture.dlqOffset,
          position,
          capture.errorCode,
          capture.errorClass,
          capture.errorMessage,
          capture.errorStack,
          capture.attempts,
          capture.failedAt,
          JSON.stringify(capture.headers),
          capture.replayTopic,
          statusesAllowing('failAgain'),
          DEAD_LETTER_TRANSITIONS.failAgain.to,
          // A row whose payload retention removed takes the same record's bytes again: a pending dead letter
          // must be replayable. One that stays closed is scrubbed again by the next retention run.
          capture.key,
          capture.value,
          decoded.kind,
          decoded.kind === 'avro' ? decoded.schemaId : null,
          decoded.kind === 'none' ? null : JSON.stringify(decoded.json),
          decoded.kind === 'none' ? decoded.reason : null,
        ],
      );
      return { id: existing.id, outcome: 'failed_again' as const };
    });
  }

  private async findForCapture(
    manager: EntityManager,
    capture: DeadLetterCapture,
  ): Promise<{ id: string; dlq_positions: string[] } | undefined> {
    if (capture.deadLetterId !== null) {
      const [byId] = (await manager.query(
        `SELECT id, dlq_positions FROM dead_letters WHERE id = $1 AND consumer_group = $2 FOR UPDATE`,
        [capture.deadLetterId, capture.consumerGroup],
      )) as { id: string; dlq_positions: string[] }[];
      if (byId) return byId;
    }
    const [byOrigin] = (await manager.query(
      `SELECT id, dlq_positions FROM dead_letters
       WHERE consumer_group = $1 AND original_topic = $2 AND original_partition = $3 AND original_offset = $4
       FOR UPDATE`,
      [capture.consumerGroup, capture.originalTopic, capture.originalPartition, capture.originalOffset],
    )) as { id: string; dlq_positions: string[] }[];
    return byOrigin;
  }

  /** The consumer group processed the replayed record: only a row still waiting for that outcome changes. */
  async resolve(id: string, consumerGroup: string): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE dead_letters SET status = $3, resolved_at = now(), status_reason = 'processed after replay',
         updated_at = now()
       WHERE id = $1 AND consumer_group = $2 AND status = ANY($4::text[]) RETURNING id`,
        [id, consumerGroup, DEAD_LETTER_TRANSITIONS.resolve.to, statusesAllowing('resolve')],
      ),
    ) as unknown[];
    return rows.length > 0;
  }
}
