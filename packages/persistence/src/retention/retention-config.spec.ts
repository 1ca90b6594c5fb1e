import { TributaryError, topics } from '@tributary/contracts';
import { inboxRetentionFloorMs, retentionConfigFrom } from './retention-config.js';

const day = 24 * 60 * 60 * 1000;

describe('retentionConfigFrom', () => {
  it('defaults: the inbox outlives every topic and a retry tier, the audit log more than a year', () => {
    const config = retentionConfigFrom({});
    const longestTopic = Math.max(...topics.map((topic) => topic.retentionMs));
    expect(config.inboxRetentionMs).toBeGreaterThanOrEqual(longestTopic + 7 * day);
    expect(config.inboxRetentionMs).toBe(40 * day);
    expect(config.auditLogRetentionMs).toBe(400 * day);
    expect(config).toMatchObject({ intervalMs: 3_600_000, batchSize: 1_000, batchPauseMs: 100 });
  });

  it('refuses an inbox retention a redelivery could outlast, naming the variable and the floor', () => {
    const tooShort = String(inboxRetentionFloorMs / day - 1);
    expect(() => retentionConfigFrom({ INBOX_RETENTION_DAYS: tooShort })).toThrow(
      expect.objectContaining({
        code: 'PERSISTENCE_RETENTION_CONFIG_INVALID',
        message: expect.stringContaining(`INBOX_RETENTION_DAYS: at least ${inboxRetentionFloorMs / day}`),
      }),
    );
  });

  it('reports every invalid variable at once', () => {
    let error: unknown;
    try {
      retentionConfigFrom({ AUDIT_LOG_RETENTION_DAYS: 'forever', RETENTION_BATCH_SIZE: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as Error).message).toMatch(/AUDIT_LOG_RETENTION_DAYS/);
    expect((error as Error).message).toMatch(/RETENTION_BATCH_SIZE/);
  });
});
