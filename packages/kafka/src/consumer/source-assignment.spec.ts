import { sourceAssignmentOf } from './source-assignment.js';

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
