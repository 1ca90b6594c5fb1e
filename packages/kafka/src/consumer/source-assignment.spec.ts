import { jest } from '@jest/globals';
import type { Consumer, IMemberAssignment, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import { SourceAssignmentWatch, sourceAssignmentOf } from './source-assignment.js';

describe('sourceAssignmentOf', () => {
  const counts = new Map([
    ['payments.payment.v1', 6],
    ['orders.order.v1', 3],
  ]);
  const topics = ['payments.payment.v1', 'orders.order.v1'];

  it('counts the source partitions this member holds against all of them, tiers left out', () => {
    const assignment = sourceAssignmentOf(
      {
        'payments.payment.v1': [4, 0, 2],
        'orders.order.v1': [1],
        'connector-payments.retry.5s': [0, 1, 2, 3, 4, 5],
      },
      topics,
      counts,
    );
    expect(assignment).toEqual({
      partitions: { 'payments.payment.v1': [0, 2, 4], 'orders.order.v1': [1] },
      assigned: 4,
      total: 9,
    });
  });

  it('holds nothing when the group has more members than partitions and this one got none', () => {
    expect(sourceAssignmentOf({ 'connector-payments.retry.5s': [0] }, topics, counts)).toMatchObject({
      assigned: 0,
      total: 9,
    });
  });

  it('takes a partition added since the counts were read as part of the total', () => {
    expect(sourceAssignmentOf({ 'orders.order.v1': [5] }, topics, counts)).toMatchObject({
      assigned: 1,
      total: 12,
    });
  });
});

describe('SourceAssignmentWatch', () => {
  const topic = 'payments.payment.v1';

  /** A Kafka whose metadata reads fail `failures` times, then report 6 partitions. */
  function fakeKafka(failures: number) {
    let calls = 0;
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => {
        calls += 1;
        if (calls <= failures) throw new Error('broker down');
        return [topic];
      },
      fetchTopicMetadata: async () => ({ topics: [{ name: topic, partitions: new Array(6).fill({}) }] }),
    };
    return { kafka: { admin: () => admin } as unknown as Kafka, calls: () => calls };
  }

  function fakeConsumer() {
    let onJoin: (event: { payload: { memberAssignment: IMemberAssignment } }) => void = () => undefined;
    const consumer = {
      events: { GROUP_JOIN: 'consumer.group_join' },
      on: (_: string, listener: typeof onJoin) => (onJoin = listener),
    } as unknown as Consumer;
    return {
      consumer,
      join: (partitions: number[]) => onJoin({ payload: { memberAssignment: { [topic]: partitions } } }),
    };
  }

  const logger = { warn: () => undefined } as unknown as Logger;
  afterEach(() => jest.useRealTimers());

  it('reads the partition counts again with backoff while they cannot be read, and then reports the true share', async () => {
    jest.useFakeTimers();
    const { kafka, calls } = fakeKafka(2);
    const heard: Array<{ assigned: number; total: number }> = [];
    const watch = new SourceAssignmentWatch(
      kafka,
      [topic],
      (a) => heard.push({ assigned: a.assigned, total: a.total }),
      logger,
    );
    const { consumer, join } = fakeConsumer();
    watch.follow(consumer);

    join([0, 1, 2]);
    await jest.advanceTimersByTimeAsync(0);
    // No count yet: the highest assigned partition stands in, once.
    expect(heard).toEqual([{ assigned: 3, total: 3 }]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls()).toBe(2);
    await jest.advanceTimersByTimeAsync(2_000);

    expect(calls()).toBe(3);
    expect(heard.at(-1)).toEqual({ assigned: 3, total: 6 });
  });
});
