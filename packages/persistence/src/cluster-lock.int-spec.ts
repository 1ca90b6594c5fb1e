import { createTestDatabase, type TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { createDataSource, withClusterLock } from './index.js';
import { gate } from '../test/support/env.js';

describe('withClusterLock', () => {
  let database: TestDatabase;
  // Two replicas of one deployment (schema `jobs`), and another deployment in the same database.
  let replicaA: DataSource;
  let replicaB: DataSource;
  let otherDeployment: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'cluster_lock' });
    const open = (schema: string) =>
      createDataSource({ url: database.url, schema, poolSize: 3 }).initialize();
    replicaA = await open('jobs');
    replicaB = await open('jobs');
    otherDeployment = await open('other_jobs');
    await replicaA.query('CREATE TABLE jobs.effects (job text NOT NULL, by text NOT NULL)');
  });
  afterAll(async () => {
    await Promise.all([replicaA, replicaB, otherDeployment].map((d) => d?.destroy().catch(() => undefined)));
    await database?.drop();
  });

  /** Holds `name` on replica A until the returned release is called. */
  async function holdOnA(name: string): Promise<{ release: () => Promise<unknown> }> {
    const inside = gate();
    const finish = gate();
    const held = withClusterLock(replicaA, name, async (manager) => {
      await manager.query(`INSERT INTO jobs.effects VALUES ($1, 'a')`, [name]);
      inside.open();
      await finish.promise;
    });
    await inside.promise;
    return { release: () => (finish.open(), held) };
  }

  async function effects(job: string): Promise<string[]> {
    const rows = (await replicaA.query('SELECT by FROM jobs.effects WHERE job = $1 ORDER BY by', [
      job,
    ])) as Array<{
      by: string;
    }>;
    return rows.map((row) => row.by);
  }

  it('skips a replica while another runs the job, and runs it again once the holder is done', async () => {
    const holder = await holdOnA('retention');

    const skipped = await withClusterLock(replicaB, 'retention', async () => 'ran on b');
    expect(skipped).toEqual({ ran: false });

    await holder.release();
    const after = await withClusterLock(replicaB, 'retention', async (manager) => {
      await manager.query(`INSERT INTO jobs.effects VALUES ('retention', 'b')`);
      return 'ran on b';
    });
    expect(after).toEqual({ ran: true, value: 'ran on b' });
    expect(await effects('retention')).toEqual(['a', 'b']);
  });

  it('of many replicas ticking at once, exactly one runs the job', async () => {
    // The one that runs holds the lock until every other call has come back.
    const othersBack = gate();
    let back = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withClusterLock(i % 2 === 0 ? replicaA : replicaB, 'sweep', async (manager) => {
          await manager.query(`INSERT INTO jobs.effects VALUES ('sweep', $1)`, [`r${i}`]);
          await othersBack.promise;
        }).then((outcome) => {
          if (!outcome.ran && ++back === 5) othersBack.open();
          return outcome;
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.ran)).toHaveLength(1);
    expect(await effects('sweep')).toHaveLength(1);
  });

  it('keeps other jobs, and the same job of another deployment, free', async () => {
    const holder = await holdOnA('stall-check');
    try {
      expect(await withClusterLock(replicaB, 'other-job', async () => 1)).toEqual({ ran: true, value: 1 });
      expect(await withClusterLock(otherDeployment, 'stall-check', async () => 2)).toEqual({
        ran: true,
        value: 2,
      });
      expect(await withClusterLock(replicaB, 'stall-check', async () => 3)).toEqual({ ran: false });
    } finally {
      await holder.release();
    }
  });

  it('gives the lock up when the job fails, and rolls its work back', async () => {
    const failed = withClusterLock(replicaA, 'failing', async (manager) => {
      await manager.query(`INSERT INTO jobs.effects VALUES ('failing', 'a')`);
      throw new Error('job failed');
    });
    await expect(failed).rejects.toThrow('job failed');
    expect(await withClusterLock(replicaB, 'failing', async () => 'b')).toEqual({ ran: true, value: 'b' });
    expect(await effects('failing')).toEqual([]);
  });

  it('refuses an empty name', async () => {
    await expect(withClusterLock(replicaA, ' ', async () => 1)).rejects.toMatchObject({
      code: 'PERSISTENCE_CLUSTER_LOCK_INVALID',
    });
  });
});
