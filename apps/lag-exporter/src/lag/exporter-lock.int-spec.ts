import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import pg from 'pg';
import { AdvisoryLockLeadership } from './exporter-lock.js';

describe('AdvisoryLockLeadership', () => {
  let database: TestDatabase;
  const held: AdvisoryLockLeadership[] = [];
  const replica = (name: string) => {
    const leadership = new AdvisoryLockLeadership(
      { connectionString: database.url, application_name: name },
      'lag_exporter.lag-exporter',
    );
    held.push(leadership);
    return leadership;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'lag_lock' });
  });

  afterAll(async () => {
    for (const leadership of held) await leadership.release();
    await database?.drop();
  });

  it('lets one replica export; the other takes over once the holder releases', async () => {
    const a = replica('lock-a');
    const b = replica('lock-b');

    expect(await a.holds()).toBe(true);
    expect(await b.holds()).toBe(false);
    expect(await a.holds()).toBe(true);
    expect(await b.holds()).toBe(false);

    await a.release();
    expect(await b.holds()).toBe(true);
    expect(await a.holds()).toBe(false);
    await b.release();
  });

  it('demotes a holder whose session the server ended, and lets the standby take over', async () => {
    const a = replica('lock-killed');
    const b = replica('lock-standby');
    expect(await a.holds()).toBe(true);
    expect(await b.holds()).toBe(false);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-killed'`,
      );
    } finally {
      await admin.end();
    }

    expect(await b.holds()).toBe(true);
    expect(await a.holds()).toBe(false);
  });
});
