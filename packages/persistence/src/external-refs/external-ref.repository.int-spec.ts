import { randomUUID } from 'node:crypto';
import { ExternalRefRepository } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';

describe('ExternalRefRepository', () => {
  let db: TestSchema;
  let refs: ExternalRefRepository;
  const key = { provider: 'stripe', externalType: 'customer', externalId: 'cus_123' };

  beforeAll(async () => {
    db = await createTestSchema('refs');
    refs = new ExternalRefRepository(db.dataSource);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('finds nothing for an unknown provider id', async () => {
    expect(await refs.find({ ...key, externalId: 'cus_unknown' })).toBeNull();
  });

  it('upserts a mapping and moves updatedAt only when the internal id changes', async () => {
    const created = await refs.upsert({ ...key, internalId: 'contact-1' });
    expect(created).toMatchObject({ ...key, internalId: 'contact-1' });
    const same = await refs.upsert({ ...key, internalId: 'contact-1' });
    expect(same.updatedAt).toEqual(created.updatedAt);
    const moved = await refs.upsert({ ...key, internalId: 'contact-2' });
    expect(moved.internalId).toBe('contact-2');
    expect(moved.createdAt).toEqual(created.createdAt);
    expect(moved.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await refs.find(key)).toEqual(moved);
    expect(await refs.findByInternalId('contact-2')).toEqual([moved]);
  });

  it('getOrCreate agrees on one internal id under concurrent first sightings', async () => {
    const fresh = { provider: 'hubspot', externalType: 'contact', externalId: '901' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => refs.getOrCreate(fresh, () => randomUUID())),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.ref.internalId)).size).toBe(1);
  });

  it('joins the caller transaction', async () => {
    const other = { provider: 'shippo', externalType: 'shipment', externalId: 'shp_1' };
    await expect(
      db.dataSource.transaction(async (manager) => {
        await refs.upsert({ ...other, internalId: 'shipment-1' }, manager);
        expect(await refs.find(other, manager)).not.toBeNull();
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await refs.find(other)).toBeNull();
  });

  it("reads and writes another schema's refs in the same database when told to", async () => {
    const owner = await createTestSchema('refs_owner');
    try {
      const connectorRefs = new ExternalRefRepository(owner.dataSource);
      const shared = new ExternalRefRepository(db.dataSource, { schema: owner.schema });
      const tracked = { provider: 'easypost', externalType: 'shipment', externalId: 'shp_9' };
      await connectorRefs.upsert({ ...tracked, internalId: 'shipment-9' });
      expect((await shared.find(tracked))?.internalId).toBe('shipment-9');
      // Its own schema stays apart.
      expect(await refs.find(tracked)).toBeNull();
    } finally {
      await owner.dispose();
    }
  });

  it('rejects empty parts with a stable code', async () => {
    await expect(refs.upsert({ ...key, externalId: '', internalId: 'x' })).rejects.toMatchObject({
      code: 'EXTERNAL_REF_INVALID',
    });
  });
});
