import type { Logger } from '@tributary/kafka';
import { TokenBucket } from '@tributary/service-kit';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import type { ReplayItem } from './replay-queue.js';
import { ReplayDispatcher } from './replay.dispatcher.js';
import type { ReplayDispatcherOptions, ReplaySink } from './replay.dispatcher.js';

const item = (id: string): ReplayItem => ({
  id,
  consumerGroup: 'g',
  replayTopic: 'g.retry.5s',
  key: null,
  value: Buffer.from(id),
  headers: [],
});

/** A queue in memory: what a dispatcher claims, renews and marks, and how many marks it fences off. */
function fakeQueue(
  pending: ReplayItem[],
  options: { leaseMs?: number; fencedOnReplay?: number; lost?: readonly string[] } = {},
) {
  const calls = { claimed: [] as number[], renewed: [] as string[][], replayed: [] as string[][] };
  const queue: ReplayDispatcherOptions['queue'] = {
    owner: 'me',
    leaseMs: options.leaseMs ?? 30_000,
    claimNextToReplay: async (limit) => {
      calls.claimed.push(limit);
      return pending.splice(0, limit);
    },
    claimInDoubt: async () => [],
    renewClaims: async (ids) => {
      calls.renewed.push([...ids]);
      return ids.filter((id) => !(options.lost ?? []).includes(id));
    },
    markReplayed: async (ids) => {
      calls.replayed.push([...ids]);
      return options.fencedOnReplay ?? 0;
    },
    failReplay: async () => 0,
    clearSending: async () => 0,
    claimDiscardSignals: async () => [],
    markDiscardSignalled: async () => 0,
  };
  return { queue, calls };
}

function recordingLogger(): Logger & { warnings: { fields: Record<string, unknown>; message: string }[] } {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (fields, message) => void warnings.push({ fields, message }),
    error: () => {},
  };
}

function dispatcher(
  queue: ReplayDispatcherOptions['queue'],
  sink: ReplaySink,
  extra: Partial<ReplayDispatcherOptions> = {},
): ReplayDispatcher {
  return new ReplayDispatcher({
    queue,
    sink,
    topics: {
      existingTopics: async () => new Set(['g.retry.5s']),
      firstRetryTiers: async () => new Map(),
    },
    bucket: new TokenBucket({ ratePerSecond: 1_000, burst: 100 }),
    findReplayed: async () => new Set(),
    logger: recordingLogger(),
    ...extra,
  });
}

describe('ReplayDispatcher claims', () => {
  it('claims only what the bucket lets leave now, not the whole batch', async () => {
    const { queue, calls } = fakeQueue([item('a'), item('b'), item('c'), item('d'), item('e')]);
    const sent: string[] = [];
    const bucket = new TokenBucket({ ratePerSecond: 0.001, burst: 3 });
    const d = dispatcher(
      queue,
      { sendMessages: async (b) => void sent.push(...b.map((m) => String(m.message.value))) },
      {
        bucket,
        batchSize: 200,
      },
    );
    const stopped = d.dispatchOnce();
    // Three tokens: one claim of three, sent and marked; the next claim waits for a token (stop ends it).
    await expect(Promise.race([stopped, new Promise((r) => setImmediate(r, 'waiting'))])).resolves.toBe(
      'waiting',
    );
    await d.stop();
    await expect(stopped).resolves.toBe(3);
    expect(calls.claimed).toEqual([3]);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(calls.replayed).toEqual([['a', 'b', 'c']]);
  });

  it('renews its claims while a send is slow, then marks them', async () => {
    const { queue, calls } = fakeQueue([item('a'), item('b')], { leaseMs: 150 });
    let renewedTwice: () => void = () => {};
    const twice = new Promise<void>((resolve) => (renewedTwice = resolve));
    const slowSink: ReplaySink = {
      sendMessages: async () => {
        const check = setInterval(() => {
          // One renewal just before the send, then two while it runs.
          if (calls.renewed.length >= 3) renewedTwice();
        }, 5);
        await twice;
        clearInterval(check);
      },
    };
    await expect(dispatcher(queue, slowSink).dispatchOnce()).resolves.toBe(2);
    expect(calls.renewed.slice(0, 3)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(calls.replayed).toEqual([['a', 'b']]);
  });

  it('sends only the rows it still holds when the send starts, the others being another replica’s', async () => {
    const { queue, calls } = fakeQueue([item('a'), item('b'), item('c')], { lost: ['b'] });
    const sent: string[] = [];
    const logger = recordingLogger();
    await dispatcher(
      queue,
      { sendMessages: async (b) => void sent.push(...b.map((m) => String(m.message.value))) },
      { logger },
    ).dispatchOnce();
    expect(sent).toEqual(['a', 'c']);
    expect(calls.replayed).toEqual([['a', 'c']]);
    expect(logger.warnings.map((w) => w.fields)).toEqual([{ owner: 'me', mark: 'sent', rows: 1 }]);
  });

  it('counts and logs marks fenced off because another replica took the rows over', async () => {
    const { queue } = fakeQueue([item('a'), item('b'), item('c')], { fencedOnReplay: 2 });
    const logger = recordingLogger();
    const before = (await dlqMetrics.fencedMarks.get()).values[0]?.value ?? 0;
    await dispatcher(queue, { sendMessages: async () => {} }, { logger }).dispatchOnce();
    expect((await dlqMetrics.fencedMarks.get()).values[0]?.value).toBe(before + 2);
    expect(logger.warnings).toEqual([
      {
        fields: { owner: 'me', mark: 'replayed', rows: 2 },
        message: expect.stringContaining('fenced off'),
      },
    ]);
  });
});
