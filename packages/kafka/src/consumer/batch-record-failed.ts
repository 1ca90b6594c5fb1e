/**
 * Thrown by a batch handler that knows which record of the batch it could not apply (`index` into the
 * items it was given): the consumer applies the records before it as a batch, handles that one on its own
 * (retries, tiers, DLQ, its key parked behind it) and goes on with the rest as a batch. Any other error
 * refuses the whole batch, which the consumer then halves to find the record.
 */
export class BatchRecordFailed extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`record ${index} of the batch failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'BatchRecordFailed';
  }
}
