import { withDatabase } from './test-database.js';

describe('withDatabase', () => {
  it('swaps only the database of a connection string', () => {
    expect(withDatabase('postgres://app:s3cret@db.internal:6543/tributary?sslmode=disable', 'test_x1')).toBe(
      'postgres://app:s3cret@db.internal:6543/test_x1?sslmode=disable',
    );
  });
});
