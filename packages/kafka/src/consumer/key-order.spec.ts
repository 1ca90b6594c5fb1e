import type { KafkaMessage } from 'kafkajs';
import { ParkingHeaders, RetryHeaders } from './forwarding-headers.js';
import { KeyOrder, originOf } from './key-order.js';
import type { RecordPlace } from './key-order.js';
import type { HeadState, KeyParking, ParkedRecord, RecordOrigin } from './key-parking.js';

function message(offset: string, key: string | null, headers: KafkaMessage['headers'] = {}): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from('{}'),
    headers,
    timestamp: '1700000000000',
    offset,
    attributes: 0,
  };
}

/** The store's calls, recorded; `parked` answers which keys are parked. */
function recordingParking(parked: readonly string[] = [], behind = 0, released: readonly string[] = []) {
  const calls: string[] = [];
  const parking: KeyParking = {
    parkedAmong: async (_group, keys) =>
      new Set(keys.filter((k) => parked.includes(String(k))).map((k) => k.toString('base64'))),
    park: async (_group, records: readonly ParkedRecord[]) => {
      calls.push(`park ${records.map((r) => `${String(r.key)}@${r.origin.offset}`).join(' ')}`);
      return new Set(released.map((key) => Buffer.from(key).toString('base64')));
    },
    markHead: async (_group, key, origin: RecordOrigin, state: HeadState, replacing) => {
      calls.push(
        `head ${String(key)} ${origin.topic}/${origin.offset} ${state}${replacing ? '' : ' if-own'}`,
      );
    },
    headFinished: async (_group, key, origin) => {
      calls.push(`finished ${String(key)} ${origin.topic}/${origin.offset}`);
      return true;
    },
    releasing: async () => [],
    claim: async () => undefined,
    parkedBehind: async () => ({
      count: behind,
      origins: Array.from({ length: Math.min(behind, 2) }, (_, i) => ({
        topic: 'orders',
        partition: 1,
        offset: String(10 + i),
      })),
    }),
    stats: async () => ({ keys: 0, records: 0, oldestParkedAt: undefined }),
  };
  return { parking, calls };
}

const source = (m: KafkaMessage): RecordPlace => ({
  topic: 'orders',
  partition: 1,
  message: m,
  fromTier: false,
});
const tier = (m: KafkaMessage): RecordPlace => ({
  topic: 'g.retry.5s',
  partition: 1,
  message: m,
  fromTier: true,
});
const fromOrders = (offset: string) => ({
  [RetryHeaders.originalTopic]: 'orders',
  [RetryHeaders.originalPartition]: '1',
  [RetryHeaders.originalOffset]: offset,
});

describe('originOf', () => {
  it('is the record itself on a source topic and the first read on a tier', () => {
    expect(originOf(source(message('7', 'k')))).toEqual({ topic: 'orders', partition: 1, offset: '7' });
    expect(originOf(tier(message('0', 'k', fromOrders('7'))))).toEqual({
      topic: 'orders',
      partition: 1,
      offset: '7',
    });
  });

  it('falls back to the tier position when a tier record lacks origin headers', () => {
    expect(originOf(tier(message('3', 'k')))).toEqual({ topic: 'g.retry.5s', partition: 1, offset: '3' });
  });
});

describe('KeyOrder', () => {
  it('parks a record of a parked key, and runs records of other keys and without a key', async () => {
    const { parking, calls } = recordingParking(['a']);
    const order = new KeyOrder('g', parking, 'skip');
    const parked = await order.parkedIn([message('1', 'a'), message('2', 'b'), message('3', null)]);
    expect(await order.parkIfWaiting(source(message('1', 'a')), parked)).toBe(true);
    expect(await order.parkIfWaiting(source(message('2', 'b')), parked)).toBe(false);
    expect(await order.parkIfWaiting(source(message('3', null)), parked)).toBe(false);
    expect(calls).toEqual(['park a@1']);
  });

  it('parks the waiting records of a chunk in one call, and runs those of a key released meanwhile', async () => {
    const { parking, calls } = recordingParking(['a', 'b'], 0, ['b']);
    const order = new KeyOrder('g', parking, 'skip');
    const chunk = [message('1', 'a'), message('2', 'b'), message('3', 'c'), message('4', 'a')].map(source);
    const parked = await order.parkedIn(chunk.map((place) => place.message));
    const rest = await order.parkWaiting(chunk, parked);
    expect(rest.map((place) => place.message.offset)).toEqual(['2', '3']);
    expect(calls).toEqual(['park a@1 b@2 a@4']);
    expect(parked.has(Buffer.from('b').toString('base64'))).toBe(false);
  });

  it('makes a forwarded source record its key head, and parks the later ones of the batch behind it', async () => {
    const { parking, calls } = recordingParking();
    const order = new KeyOrder('g', parking, 'skip');
    const parked = new Set<string>();
    await order.forwarded(source(message('4', 'a')), 'retry', parked);
    expect(await order.parkIfWaiting(source(message('5', 'a')), parked)).toBe(true);
    expect(calls).toEqual(['head a orders/4 retrying', 'park a@5']);
  });

  it('changes a key from a tier record only while that record heads it', async () => {
    const { parking, calls } = recordingParking();
    await new KeyOrder('g', parking, 'block').forwarded(
      tier(message('0', 'a', fromOrders('4'))),
      'dead-letter',
    );
    expect(calls).toEqual(['head a orders/4 dead_lettered if-own']);
  });

  it('under skip, releases the key of a dead-lettered tier head, and parks nothing for a dead-lettered source record', async () => {
    const { parking, calls } = recordingParking();
    const order = new KeyOrder('g', parking, 'skip');
    await order.forwarded(tier(message('0', 'a', fromOrders('4'))), 'dead-letter');
    await order.forwarded(source(message('9', 'b')), 'dead-letter', new Set());
    expect(calls).toEqual(['finished a orders/4']);
  });

  it('under block, a dead-lettered source record heads its key', async () => {
    const { parking, calls } = recordingParking();
    await new KeyOrder('g', parking, 'block').forwarded(source(message('9', 'b')), 'dead-letter', new Set());
    expect(calls).toEqual(['head b orders/9 dead_lettered']);
  });

  it('releases a key when its head, read from a tier, was handled; a source record releases nothing', async () => {
    const { parking, calls } = recordingParking();
    const order = new KeyOrder('g', parking, 'skip');
    expect(await order.finished(source(message('4', 'a')))).toBe(false);
    expect(await order.finished(tier(message('0', 'a', fromOrders('4'))))).toBe(true);
    expect(calls).toEqual(['finished a orders/4']);
  });

  it('names what waits behind a dead-lettered head, and what becomes of it', async () => {
    const place = tier(message('0', 'a', fromOrders('4')));
    expect(await new KeyOrder('g', recordingParking([], 0).parking, 'skip').deadLetterHeaders(place)).toEqual(
      {},
    );
    expect(await new KeyOrder('g', recordingParking([], 3).parking, 'skip').deadLetterHeaders(place)).toEqual(
      {
        [ParkingHeaders.parkedBehind]: '3',
        [ParkingHeaders.parkedOrigins]: 'orders/1/10,orders/1/11',
        [ParkingHeaders.parkedFate]: 'released',
      },
    );
    const blocked = await new KeyOrder('g', recordingParking([], 1).parking, 'block').deadLetterHeaders(
      place,
    );
    expect(blocked[ParkingHeaders.parkedFate]).toBe('blocked');
  });
});
