import avsc from 'avsc';
import { checkCompatibility } from './compatibility.js';
import type { CompatibilityLevel } from './compatibility.js';

const subject = 'commerce.order.v1-tributary.commerce.order.OrderPlaced';

type Field = { name: string; type: unknown; default?: unknown; aliases?: string[] };

/** OrderPlaced v1 as the tests' starting point; `change` edits a copy of its fields. */
function orderPlaced(change: (fields: Field[]) => Field[] = (f) => f, extra: Record<string, unknown> = {}) {
  const fields: Field[] = [
    { name: 'orderId', type: 'string' },
    { name: 'quantity', type: 'int' },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: { type: 'record', name: 'OrderLine', fields: [{ name: 'sku', type: 'string' }] },
      },
    },
    { name: 'reason', type: { type: 'enum', name: 'Reason', symbols: ['CUSTOMER', 'FRAUD'] } },
    { name: 'note', type: ['null', 'string'], default: null },
  ];
  return {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'tributary.commerce.order',
    ...extra,
    fields: change(structuredClone(fields)),
  };
}

const v1 = [{ label: 'registry version 1', schema: orderPlaced() }];

function messages(candidate: object, level?: CompatibilityLevel) {
  return checkCompatibility(candidate, v1, { subject, ...(level ? { level } : {}) }).issues.map(
    (i) => i.message,
  );
}

/** avsc's own verdict for "new reads old", to keep the walk honest. */
function avscReads(reader: object, writer: object): boolean {
  try {
    avsc.Type.forSchema(reader as avsc.Schema).createResolver(avsc.Type.forSchema(writer as avsc.Schema));
    return true;
  } catch {
    return false;
  }
}

describe('checkCompatibility', () => {
  it('accepts an unchanged schema and reports nothing', () => {
    expect(checkCompatibility(orderPlaced(), v1)).toEqual({ compatible: true, issues: [] });
  });

  it('accepts an added optional field (null union with default null)', () => {
    const next = orderPlaced((f) => [...f, { name: 'channel', type: ['null', 'string'], default: null }]);
    expect(messages(next)).toEqual([]);
  });

  it('accepts an added required-typed field that has a default', () => {
    expect(messages(orderPlaced((f) => [...f, { name: 'priority', type: 'int', default: 0 }]))).toEqual([]);
  });

  it('refuses an added field without a default, naming subject, field and level', () => {
    const next = orderPlaced((f) => [...f, { name: 'totalAmount', type: 'long' }]);
    expect(messages(next)).toEqual([
      `${subject}: field "totalAmount" was added without a default (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
  });

  it('refuses a field added without a default inside an array of records, with its path', () => {
    const next = orderPlaced((f) => {
      const lines = f[2]!.type as { items: { fields: Field[] } };
      lines.items.fields.push({ name: 'quantity', type: 'int' });
      return f;
    });
    expect(messages(next)).toEqual([
      `${subject}: field "lines[].quantity" was added without a default (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
  });

  it('accepts a removed field under BACKWARD: the new reader skips it', () => {
    expect(messages(orderPlaced((f) => f.filter((x) => x.name !== 'quantity')))).toEqual([]);
  });

  it('refuses a removed field without a default under FORWARD and FULL, naming the field', () => {
    const next = orderPlaced((f) => f.filter((x) => x.name !== 'quantity'));
    const expected = 'field "quantity" was removed, and the previous version has no default for it';
    expect(messages(next, 'FORWARD_TRANSITIVE')).toEqual([
      `${subject}: ${expected} (FORWARD_TRANSITIVE vs registry version 1)`,
    ]);
    expect(messages(next, 'FULL')).toEqual([`${subject}: ${expected} (FULL vs registry version 1)`]);
  });

  it('accepts removing a field that had a default under FORWARD', () => {
    expect(
      messages(
        orderPlaced((f) => f.filter((x) => x.name !== 'note')),
        'FORWARD',
      ),
    ).toEqual([]);
  });

  it('refuses a changed type, naming the field and both types', () => {
    const next = orderPlaced((f) => f.map((x) => (x.name === 'orderId' ? { ...x, type: 'int' } : x)));
    expect(messages(next)).toEqual([
      `${subject}: field "orderId" changed type from string to int (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
  });

  it('accepts a widening promotion (int to long) and refuses the narrowing one', () => {
    const widened = orderPlaced((f) => f.map((x) => (x.name === 'quantity' ? { ...x, type: 'long' } : x)));
    expect(messages(widened)).toEqual([]);
    const narrowed = checkCompatibility(orderPlaced(), [{ label: 'v2', schema: widened }], { subject });
    expect(narrowed.issues.map((i) => i.reason)).toEqual(['changed type from long to int']);
  });

  it('refuses making an optional field required', () => {
    const next = orderPlaced((f) => f.map((x) => (x.name === 'note' ? { name: 'note', type: 'string' } : x)));
    expect(messages(next)).toEqual([
      `${subject}: field "note" changed type from union<null, string> to string (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
  });

  it('refuses dropping an enum symbol unless the enum has a default', () => {
    const withSymbols = (symbols: string[], extra: object = {}) =>
      orderPlaced((f) =>
        f.map((x) =>
          x.name === 'reason' ? { ...x, type: { type: 'enum', name: 'Reason', symbols, ...extra } } : x,
        ),
      );
    expect(messages(withSymbols(['CUSTOMER']))).toEqual([
      `${subject}: field "reason" lost enum symbol(s) "FRAUD", and the enum has no default (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
    expect(messages(withSymbols(['CUSTOMER', 'OTHER'], { default: 'OTHER' }))).toEqual([]);
  });

  it('follows field and record aliases', () => {
    const renamedField = orderPlaced((f) =>
      f.map((x) => (x.name === 'orderId' ? { ...x, name: 'id', aliases: ['orderId'] } : x)),
    );
    expect(messages(renamedField)).toEqual([]);

    const renamedRecord = orderPlaced(undefined, { name: 'OrderSubmitted' });
    expect(messages(renamedRecord)).toEqual([
      `${subject}: record name changed from tributary.commerce.order.OrderPlaced to tributary.commerce.order.OrderSubmitted without an alias (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
    expect(messages(orderPlaced(undefined, { name: 'OrderSubmitted', aliases: ['OrderPlaced'] }))).toEqual(
      [],
    );
  });

  it('checks every earlier version when transitive and only the latest otherwise', () => {
    const v2 = orderPlaced((f) => [...f, { name: 'priority', type: 'int', default: 0 }]);
    const v3 = orderPlaced((f) => [...f, { name: 'priority', type: 'int' }]);
    const history = [
      { label: 'registry version 1', schema: orderPlaced() },
      { label: 'registry version 2', schema: JSON.stringify(v2) },
    ];
    expect(checkCompatibility(v3, history, { subject, level: 'BACKWARD' }).compatible).toBe(true);
    expect(checkCompatibility(v3, history, { subject }).issues.map((i) => i.message)).toEqual([
      `${subject}: field "priority" was added without a default (BACKWARD_TRANSITIVE vs registry version 1)`,
    ]);
  });

  it('reports an invalid candidate instead of throwing', () => {
    const result = checkCompatibility(
      { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] },
      v1,
      {
        subject,
      },
    );
    expect(result.compatible).toBe(false);
    expect(result.issues[0]!.message).toMatch(/^commerce\.order\.v1-.*: is not a valid Avro schema: /);
  });

  it('terminates on recursive types', () => {
    const tree = (extra: Field[] = []) => ({
      type: 'record',
      name: 'Node',
      fields: [{ name: 'children', type: { type: 'array', items: 'Node' } }, ...extra],
    });
    expect(
      checkCompatibility(tree([{ name: 'label', type: 'string' }]), [{ label: 'v1', schema: tree() }]).issues,
    ).toHaveLength(1);
  });

  it('agrees with the avsc resolver on every case above', () => {
    const cases: object[] = [
      orderPlaced((f) => [...f, { name: 'channel', type: ['null', 'string'], default: null }]),
      orderPlaced((f) => [...f, { name: 'totalAmount', type: 'long' }]),
      orderPlaced((f) => f.filter((x) => x.name !== 'quantity')),
      orderPlaced((f) => f.map((x) => (x.name === 'orderId' ? { ...x, type: 'int' } : x))),
      orderPlaced((f) => f.map((x) => (x.name === 'quantity' ? { ...x, type: 'double' } : x))),
      orderPlaced((f) => f.map((x) => (x.name === 'note' ? { name: 'note', type: 'string' } : x))),
      orderPlaced((f) => f.map((x) => (x.name === 'note' ? { ...x, type: ['null', 'string', 'int'] } : x))),
      orderPlaced(undefined, { name: 'OrderSubmitted' }),
    ];
    for (const candidate of cases) {
      expect([JSON.stringify(candidate), checkCompatibility(candidate, v1).compatible]).toEqual([
        JSON.stringify(candidate),
        avscReads(candidate, orderPlaced()),
      ]);
    }
  });
});
