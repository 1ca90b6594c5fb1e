import { parentPort, workerData } from 'node:worker_threads';
import type { EncodedRecord } from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { writeOutbox } from './outbox-writers.js';
import type { WriterThreadData, WriterThreadMessage } from './outbox-writers.js';

// Entry point of the writer thread (see startWriterThread): connect, say ready, write on 'start', report.
const data = workerData as WriterThreadData;
const port = parentPort!;
const post = (message: WriterThreadMessage) => port.postMessage(message);

// Buffers arrive as plain Uint8Arrays after the structured clone.
const records: EncodedRecord[] = data.records.map((r) => ({
  ...r,
  value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
}));

const dataSource = createDataSource({
  url: data.url,
  schema: data.schema,
  poolSize: data.writers,
  applicationName: 'tributary-bench-writers',
});

try {
  await dataSource.initialize();
  post({ type: 'ready' });
  await new Promise<void>((resolve) => port.once('message', () => resolve()));
  const results = await writeOutbox(dataSource, records, data);
  post({ type: 'done', results });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await dataSource.destroy().catch(() => undefined);
}
