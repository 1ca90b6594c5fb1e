import type {
  JsonType,
  ObservedShape,
  ShapeObservation,
  ShapeReliance,
  ShapeSurface,
} from '@tributary/provider-shapes';
import { applyObservation, emptyProfile, isTransientStatus } from './profile.js';
import type { EndpointProfile, ProfileOptions, ShapeChange } from './profile.js';

const options: ProfileOptions = { learningSamples: 5, missingAfter: 3 };

interface ShapeSpec {
  /** `path:type`, e.g. `$.amount:number`. */
  readonly fields: readonly string[];
  readonly status?: number | null;
  /** `path=value`, e.g. `$.status=pending`. */
  readonly enums?: readonly string[];
}

/** A shape from a field list; its fake hash is the list itself, so equal lists give equal hashes. */
function shape({ fields, status = 200, enums = [] }: ShapeSpec): ObservedShape {
  const parsed = ['$:object', ...fields].map((field) => {
    const at = field.lastIndexOf(':');
    return { path: field.slice(0, at), type: field.slice(at + 1) as JsonType };
  });
  const parsedEnums = enums.map((entry) => {
    const at = entry.indexOf('=');
    return { path: entry.slice(0, at), value: entry.slice(at + 1) };
  });
  return {
    hash: `${status}|${fields.join(',')}|${enums.join(',')}`,
    status,
    fields: parsed,
    enums: parsedEnums,
    example: '{}',
  };
}

function observation(
  runs: ReadonlyArray<readonly [ObservedShape, number]>,
  reliesOn: readonly ShapeReliance[] = [],
  surface: ShapeSurface = 'response',
): ShapeObservation {
  const shapes = new Map(runs.map(([observed]) => [observed.hash, observed]));
  return {
    provider: 'stripe',
    surface,
    endpoint: 'payment_intents.create',
    observer: 'connector-payments',
    windowStart: new Date('2025-01-01T00:00:00Z'),
    windowEnd: new Date('2025-01-01T00:00:05Z'),
    runs: runs.map(([observed, count]) => ({ hash: observed.hash, count })),
    shapes: [...shapes.values()],
    declaration: { reliesOn },
  };
}

/** Feeds observations one after the other, keeping the profile, and returns each one's changes. */
function feeder(start: EndpointProfile = emptyProfile(), feedOptions: ProfileOptions = options) {
  let profile = start;
  return {
    feed(runs: ReadonlyArray<readonly [ObservedShape, number]>, reliesOn?: readonly ShapeReliance[]) {
      const result = applyObservation(profile, observation(runs, reliesOn), feedOptions);
      profile = result.profile;
      return result.changes;
    },
    get profile() {
      return profile;
    },
  };
}

const kinds = (changes: readonly ShapeChange[]) => changes.map((found) => `${found.kind} ${found.path}`);

const payment = shape({ fields: ['$.amount:number', '$.currency:string', '$.id:string'] });
/** A feeder that has learned `payment` (status 200). */
function learned(start = payment) {
  const endpoint = feeder();
  expect(endpoint.feed([[start, options.learningSamples]])).toEqual([]);
  return endpoint;
}

describe('applyObservation', () => {
  it('finds nothing in traffic that keeps the learned shape, and counts every sample', () => {
    const endpoint = learned();
    expect(endpoint.feed([[payment, 40]])).toEqual([]);
    expect(endpoint.feed([[payment, 60]])).toEqual([]);
    expect(endpoint.profile.samples).toBe(105);
    expect(endpoint.profile.statuses['200']?.samples).toBe(105);
  });

  it("never reports a map's members missing: an empty map is a map", () => {
    const withMetadata = shape({ fields: ['$.id:string', '$.metadata:object', '$.metadata.*:string'] });
    const emptyMetadata = shape({ fields: ['$.id:string', '$.metadata:object'] });
    const endpoint = learned(withMetadata);
    expect(endpoint.feed([[emptyMetadata, options.missingAfter * 3]])).toEqual([]);
  });

  it('absorbs variation while learning: a field that comes and goes is optional, types are unioned', () => {
    const endpoint = feeder();
    const withNote = shape({ fields: ['$.amount:number', '$.id:string', '$.note:string'] });
    const stringAmount = shape({ fields: ['$.amount:string', '$.id:string'] });
    const withRefund = shape({ fields: ['$.amount:number', '$.id:string', '$.refund:object'] });
    expect(
      endpoint.feed([
        [withNote, 2],
        [stringAmount, 1],
        [withRefund, 1],
      ]),
    ).toEqual([]);

    const fields = endpoint.profile.statuses['200']?.fields;
    expect(fields?.['$.amount']).toEqual({ types: ['number', 'string'], optional: false, absentRun: 0 });
    expect(fields?.['$.note']?.optional).toBe(true);
    expect(fields?.['$.refund']?.optional).toBe(true);
    expect(fields?.['$.id']?.optional).toBe(false);

    // Learned now (5 samples): every variation seen while learning is quiet, however long it lasts.
    expect(endpoint.feed([[stringAmount, 1]])).toEqual([]);
    expect(
      endpoint.feed([
        [stringAmount, 10],
        [withNote, 1],
        [withRefund, 1],
      ]),
    ).toEqual([]);
  });

  it('gives a new field once, as info, and never again', () => {
    const endpoint = learned();
    const withCustomer = shape({
      fields: ['$.amount:number', '$.currency:string', '$.customer:string', '$.id:string'],
    });
    const changes = endpoint.feed([
      [withCustomer, 1],
      [payment, 1],
      [withCustomer, 3],
    ]);
    expect(changes).toEqual([
      {
        kind: 'field_added',
        severity: 'info',
        status: 200,
        path: '$.customer',
        value: null,
        previous: null,
        usedBy: null,
        shapeHash: withCustomer.hash,
        message: '$.customer appeared as string',
      },
    ]);
    expect(endpoint.feed([[withCustomer, 5]])).toEqual([]);
    expect(endpoint.profile.statuses['200']?.fields['$.customer']).toMatchObject({
      types: ['string'],
      optional: false,
    });
  });

  it('gives only the top-most path of a new object', () => {
    const endpoint = learned();
    const withShipping = shape({
      fields: [
        '$.amount:number',
        '$.currency:string',
        '$.id:string',
        '$.shipping:object',
        '$.shipping.address:object',
        '$.shipping.address.city:string',
        '$.shipping.carrier:string',
      ],
    });
    expect(kinds(endpoint.feed([[withShipping, 1]]))).toEqual(['field_added $.shipping']);
    expect(Object.keys(endpoint.profile.statuses['200']?.fields ?? {})).toEqual(
      expect.arrayContaining(['$.shipping.address', '$.shipping.address.city', '$.shipping.carrier']),
    );
  });

  describe('a missing field', () => {
    const withoutCurrency = shape({ fields: ['$.amount:number', '$.id:string'] });

    it('is not missing for fewer than missingAfter consecutive samples', () => {
      const endpoint = learned();
      expect(
        endpoint.feed([
          [withoutCurrency, 1],
          [payment, 1],
          [withoutCurrency, 2],
        ]),
      ).toEqual([]);
      expect(endpoint.profile.statuses['200']?.fields['$.currency']?.absentRun).toBe(2);
    });

    it('is given once when one run holds missingAfter samples or more', () => {
      const endpoint = learned();
      const changes = endpoint.feed([[withoutCurrency, 7]]);
      expect(changes).toEqual([
        {
          kind: 'field_missing',
          severity: 'warning',
          status: 200,
          path: '$.currency',
          value: null,
          previous: null,
          usedBy: null,
          shapeHash: withoutCurrency.hash,
          message: '$.currency was absent from the last 7 samples',
        },
      ]);
      expect(endpoint.feed([[withoutCurrency, 20]])).toEqual([]);
    });

    it('counts consecutive absences across observations, and gives the finding once', () => {
      const endpoint = learned();
      expect(endpoint.feed([[withoutCurrency, 2]])).toEqual([]);
      expect(kinds(endpoint.feed([[withoutCurrency, 1]]))).toEqual(['field_missing $.currency']);
      expect(endpoint.feed([[withoutCurrency, 1]])).toEqual([]);
    });

    it('starts counting again when the field reappears, and once given makes the field optional', () => {
      const endpoint = learned();
      expect(
        endpoint.feed([
          [withoutCurrency, 2],
          [payment, 1],
          [withoutCurrency, 2],
        ]),
      ).toEqual([]);
      expect(kinds(endpoint.feed([[withoutCurrency, 1]]))).toEqual(['field_missing $.currency']);
      expect(endpoint.profile.statuses['200']?.fields['$.currency']?.optional).toBe(true);
      expect(endpoint.feed([[payment, 1]])).toEqual([]);
      expect(endpoint.feed([[withoutCurrency, 3]])).toEqual([]);
      expect(endpoint.feed([[withoutCurrency, 30]])).toEqual([]);
    });

    it('gives a field that comes and goes after learning once as added and once as missing', () => {
      const endpoint = learned();
      const withCustomer = shape({
        fields: ['$.amount:number', '$.currency:string', '$.customer:string', '$.id:string'],
      });
      const found = [];
      for (let round = 0; round < 5; round++)
        found.push(
          ...endpoint.feed([
            [withCustomer, 2],
            [payment, options.missingAfter],
          ]),
        );
      expect(kinds(found)).toEqual(['field_added $.customer', 'field_missing $.customer']);
    });

    it('is never given for a field that was optional while learning', () => {
      const endpoint = feeder();
      expect(
        endpoint.feed([
          [payment, 3],
          [withoutCurrency, 1],
          [payment, 1],
        ]),
      ).toEqual([]);
      expect(endpoint.feed([[withoutCurrency, 50]])).toEqual([]);
      expect(endpoint.profile.statuses['200']?.fields['$.currency']?.absentRun).toBe(0);
    });

    it('gives one finding for a dropped object, not for the fields inside it', () => {
      const withCustomer = shape({
        fields: ['$.customer:object', '$.customer.email:string', '$.customer.name:string', '$.id:string'],
      });
      const endpoint = learned(withCustomer);
      const withoutCustomer = shape({ fields: ['$.id:string'] });
      expect(kinds(endpoint.feed([[withoutCustomer, 10]]))).toEqual(['field_missing $.customer']);
      expect(endpoint.profile.statuses['200']?.fields['$.customer.email']?.absentRun).toBe(0);
    });

    it('does not count a field whose parent is null or an empty array in the sample', () => {
      const withCustomer = shape({
        fields: [
          '$.customer:object',
          '$.customer.email:string',
          '$.items:array',
          '$.items[]:object',
          '$.items[].sku:string',
        ],
      });
      const nullCustomer = shape({ fields: ['$.customer:null', '$.items:array'] });
      const endpoint = feeder();
      expect(
        endpoint.feed([
          [withCustomer, 4],
          [nullCustomer, 1],
        ]),
      ).toEqual([]);
      expect(endpoint.feed([[nullCustomer, 10]])).toEqual([]);
      const fields = endpoint.profile.statuses['200']?.fields;
      expect(fields?.['$.customer.email']).toMatchObject({ optional: false, absentRun: 0 });
      expect(fields?.['$.items[]']).toMatchObject({ optional: false, absentRun: 0 });
      expect(fields?.['$.items[].sku']).toMatchObject({ optional: false, absentRun: 0 });
    });

    it('counts a field inside array elements when the elements are objects without it', () => {
      const withSku = shape({ fields: ['$.items:array', '$.items[]:object', '$.items[].sku:string'] });
      const withoutSku = shape({ fields: ['$.items:array', '$.items[]:object'] });
      const endpoint = learned(withSku);
      expect(kinds(endpoint.feed([[withoutSku, 3]]))).toEqual(['field_missing $.items[].sku']);
    });
  });

  describe('a type change', () => {
    it('is given once, naming the known and the new type', () => {
      const endpoint = learned();
      const stringAmount = shape({ fields: ['$.amount:string', '$.currency:string', '$.id:string'] });
      expect(
        endpoint.feed([
          [stringAmount, 2],
          [payment, 1],
          [stringAmount, 1],
        ]),
      ).toEqual([
        {
          kind: 'type_changed',
          severity: 'warning',
          status: 200,
          path: '$.amount',
          value: 'string',
          previous: 'number',
          usedBy: null,
          shapeHash: stringAmount.hash,
          message: '$.amount was number, now string',
        },
      ]);
      expect(endpoint.feed([[stringAmount, 3]])).toEqual([]);
      expect(endpoint.profile.statuses['200']?.fields['$.amount']?.types).toEqual(['number', 'string']);
    });

    it('silences what changed below it: new members of a retyped path are no field_added', () => {
      const endpoint = learned();
      const amountObject = shape({
        fields: [
          '$.amount:object',
          '$.amount.currency:string',
          '$.amount.value:object',
          '$.amount.value.minor:number',
          '$.currency:string',
          '$.id:string',
        ],
      });
      expect(kinds(endpoint.feed([[amountObject, 1]]))).toEqual(['type_changed $.amount']);
      // Absorbed: the members are known now, so the same shape is quiet.
      expect(endpoint.feed([[amountObject, 1]])).toEqual([]);
    });

    it('silences a type change below a retyped ancestor', () => {
      const nested = shape({ fields: ['$.data:object', '$.data.total:number', '$.id:string'] });
      const endpoint = learned(nested);
      const reshaped = shape({ fields: ['$.data:array', '$.data.total:string', '$.id:string'] });
      expect(kinds(endpoint.feed([[reshaped, 1]]))).toEqual(['type_changed $.data']);
    });

    it('leaves the members of an object that became something else unjudged', () => {
      const nested = shape({ fields: ['$.data:object', '$.data.total:number', '$.id:string'] });
      const endpoint = learned(nested);
      const flattened = shape({ fields: ['$.data:string', '$.id:string'] });
      expect(kinds(endpoint.feed([[flattened, 10]]))).toEqual(['type_changed $.data']);
      expect(endpoint.profile.statuses['200']?.fields['$.data.total']?.absentRun).toBe(0);
    });
  });

  it('gives a new enum value once, naming the known values', () => {
    const pending = shape({ fields: ['$.status:string'], enums: ['$.status=pending'] });
    const succeeded = shape({ fields: ['$.status:string'], enums: ['$.status=succeeded'] });
    const refunded = shape({ fields: ['$.status:string'], enums: ['$.status=refunded'] });
    const endpoint = feeder();
    expect(
      endpoint.feed([
        [pending, 3],
        [succeeded, 2],
      ]),
    ).toEqual([]);
    expect(
      endpoint.feed([
        [succeeded, 1],
        [refunded, 1],
        [pending, 1],
        [refunded, 1],
      ]),
    ).toEqual([
      {
        kind: 'enum_value_added',
        severity: 'info',
        status: 200,
        path: '$.status',
        value: 'refunded',
        previous: 'pending, succeeded',
        usedBy: null,
        shapeHash: refunded.hash,
        message: '$.status took the new value "refunded" (known: pending, succeeded)',
      },
    ]);
    expect(endpoint.profile.statuses['200']?.enums['$.status']).toEqual(['pending', 'refunded', 'succeeded']);
    expect(endpoint.feed([[refunded, 1]])).toEqual([]);
  });

  describe('statuses', () => {
    const notFound = shape({ status: 404, fields: ['$.error:object', '$.error.code:string'] });
    const notFoundWithoutCode = shape({ status: 404, fields: ['$.error:object'] });

    it('gives a new status once after the endpoint learned, then learns the status silently', () => {
      const endpoint = learned();
      expect(
        endpoint.feed([
          [notFound, 1],
          [notFound, 1],
        ]),
      ).toEqual([
        {
          kind: 'status_added',
          severity: 'info',
          status: 404,
          path: null,
          value: '404',
          previous: null,
          usedBy: null,
          shapeHash: notFound.hash,
          message: 'the endpoint answered status 404 for the first time',
        },
      ]);
      // The 404 profile has 2 samples of 5: its variations are learned, not reported.
      expect(endpoint.feed([[notFoundWithoutCode, 3]])).toEqual([]);
      expect(endpoint.profile.statuses['404']?.fields['$.error.code']?.optional).toBe(true);
      expect(endpoint.feed([[notFoundWithoutCode, 10]])).toEqual([]);
    });

    it('compares a status with its own profile once it learned', () => {
      const endpoint = learned();
      expect(kinds(endpoint.feed([[notFound, 5]]))).toEqual(['status_added null']);
      expect(kinds(endpoint.feed([[notFoundWithoutCode, 3]]))).toEqual(['field_missing $.error.code']);
      expect(endpoint.profile.statuses['404']?.samples).toBe(8);
      expect(endpoint.profile.samples).toBe(13);
    });

    it('learns the statuses of an endpoint that is still learning silently', () => {
      const endpoint = feeder();
      expect(
        endpoint.feed([
          [payment, 2],
          [notFound, 1],
          [payment, 2],
        ]),
      ).toEqual([]);
      expect(Object.keys(endpoint.profile.statuses).sort()).toEqual(['200', '404']);
    });

    it('never reports a transient status, and still learns it', () => {
      const endpoint = learned();
      const throttled = shape({ status: 429, fields: ['$.error:string'] });
      const unavailable = shape({ status: 503, fields: ['$.error:string'] });
      const timedOut = shape({ status: 408, fields: ['$.error:string'] });
      expect(
        endpoint.feed([
          [throttled, 1],
          [unavailable, 1],
          [timedOut, 1],
        ]),
      ).toEqual([]);
      expect(endpoint.profile.statuses['429']?.samples).toBe(1);
      expect(endpoint.profile.statuses['503']?.samples).toBe(1);
    });

    it('never compares a transient status, however long it has been answered', () => {
      const endpoint = learned();
      const unavailable = shape({ status: 503, fields: ['$.error:object', '$.error.code:string'] });
      const htmlOutage = shape({ status: 503, fields: ['$.message:string'], enums: ['$.message=down'] });
      expect(endpoint.feed([[unavailable, 20]])).toEqual([]);
      expect(
        endpoint.feed([
          [htmlOutage, 10],
          [unavailable, 1],
          [htmlOutage, 10],
        ]),
      ).toEqual([]);
      expect(endpoint.profile.statuses['503']).toMatchObject({
        samples: 41,
        fields: { '$.error': { optional: true }, '$.message': { optional: true } },
        enums: { '$.message': ['down'] },
      });
    });

    it('keeps webhook samples, which have no status, under none', () => {
      const event = shape({ status: null, fields: ['$.type:string'] });
      const result = applyObservation(emptyProfile(), observation([[event, 2]], [], 'webhook'), options);
      expect(Object.keys(result.profile.statuses)).toEqual(['none']);
      expect(result.profile.statuses['none']?.samples).toBe(2);
    });
  });

  describe('reliances', () => {
    const withCustomer = shape({
      fields: ['$.customer:object', '$.customer.email:string', '$.id:string', '$.status:string'],
      enums: ['$.status=pending'],
    });
    const reliesOn: ShapeReliance[] = [
      { path: '$.customer.email', usedBy: 'connector-payments: handlers/receipt.ts' },
      { path: '$.customer.email', usedBy: 'connector-crm: handlers/contact.ts' },
      {
        path: '$.status',
        values: ['pending', 'succeeded'],
        usedBy: 'connector-payments: handlers/status.ts',
      },
    ];

    it('makes a missing ancestor of a relied-on path an error naming its users', () => {
      const endpoint = learned(withCustomer);
      const withoutCustomer = shape({
        fields: ['$.id:string', '$.status:string'],
        enums: ['$.status=pending'],
      });
      expect(endpoint.feed([[withoutCustomer, 3]], reliesOn)).toEqual([
        expect.objectContaining({
          kind: 'field_missing',
          path: '$.customer',
          severity: 'error',
          usedBy: 'connector-payments: handlers/receipt.ts; connector-crm: handlers/contact.ts',
        }),
      ]);
    });

    it('makes a type change of a relied-on path an error, and leaves unrelated paths alone', () => {
      const endpoint = learned(withCustomer);
      const retyped = shape({
        fields: ['$.customer:object', '$.customer.email:null', '$.id:number', '$.status:string'],
        enums: ['$.status=pending'],
      });
      const changes = endpoint.feed([[retyped, 1]], reliesOn);
      expect(changes.map(({ path, severity, usedBy }) => ({ path, severity, usedBy }))).toEqual([
        {
          path: '$.customer.email',
          severity: 'error',
          usedBy: 'connector-payments: handlers/receipt.ts; connector-crm: handlers/contact.ts',
        },
        { path: '$.id', severity: 'warning', usedBy: null },
      ]);
    });

    it('never makes a new field an error, even one the code relies on', () => {
      const endpoint = learned();
      const withEmail = shape({
        fields: ['$.amount:number', '$.currency:string', '$.email:string', '$.id:string'],
      });
      expect(
        endpoint.feed([[withEmail, 1]], [{ path: '$.email', usedBy: 'connector-crm: handlers/contact.ts' }]),
      ).toEqual([expect.objectContaining({ kind: 'field_added', severity: 'info', usedBy: null })]);
    });

    it('makes a new enum value an error only when the reliance does not handle it', () => {
      const endpoint = learned(withCustomer);
      const succeeded = shape({
        fields: ['$.customer:object', '$.customer.email:string', '$.id:string', '$.status:string'],
        enums: ['$.status=succeeded'],
      });
      const disputed = shape({
        fields: ['$.customer:object', '$.customer.email:string', '$.id:string', '$.status:string'],
        enums: ['$.status=disputed'],
      });
      const changes = endpoint.feed(
        [
          [succeeded, 1],
          [disputed, 1],
        ],
        reliesOn,
      );
      expect(changes.map(({ value, severity, usedBy }) => ({ value, severity, usedBy }))).toEqual([
        { value: 'succeeded', severity: 'info', usedBy: null },
        { value: 'disputed', severity: 'error', usedBy: 'connector-payments: handlers/status.ts' },
      ]);
    });
  });

  describe('an enum value while learning', () => {
    const withStatus = (value: string, status = 200) =>
      shape({ status, fields: ['$.id:string', '$.status:string'], enums: [`$.status=${value}`] });
    const reliesOn: ShapeReliance[] = [
      {
        path: '$.status',
        values: ['pending', 'succeeded'],
        usedBy: 'connector-payments: handlers/status.ts',
      },
    ];

    it('is an error, once per value, when a reliance does not list it', () => {
      const endpoint = feeder();
      const changes = endpoint.feed(
        [
          [withStatus('pending'), 1],
          [withStatus('disputed'), 1],
          [withStatus('succeeded'), 1],
          [withStatus('disputed'), 1],
        ],
        reliesOn,
      );
      expect(changes).toEqual([
        {
          kind: 'enum_value_added',
          severity: 'error',
          status: 200,
          path: '$.status',
          value: 'disputed',
          previous: 'pending',
          usedBy: 'connector-payments: handlers/status.ts',
          shapeHash: withStatus('disputed').hash,
          message: '$.status took the new value "disputed" (known: pending)',
        },
      ]);
      expect(endpoint.feed([[withStatus('disputed'), 1]], reliesOn)).toEqual([]);
      expect(endpoint.profile.statuses['200']?.enums['$.status']).toEqual([
        'disputed',
        'pending',
        'succeeded',
      ]);
    });

    it("is an error in a new status's first sample too", () => {
      const endpoint = learned();
      expect(kinds(endpoint.feed([[withStatus('canceled', 202), 1]], reliesOn))).toEqual([
        'status_added null',
        'enum_value_added $.status',
      ]);
    });

    it('names only the reliances that list values without it', () => {
      const endpoint = feeder();
      const changes = endpoint.feed(
        [[withStatus('refunded'), 1]],
        [
          { path: '$.status', values: ['pending'], usedBy: 'connector-payments: handlers/status.ts' },
          { path: '$.status', usedBy: 'connector-crm: handlers/contact.ts' },
        ],
      );
      expect(changes.map(({ value, severity, usedBy }) => ({ value, severity, usedBy }))).toEqual([
        { value: 'refunded', severity: 'error', usedBy: 'connector-payments: handlers/status.ts' },
      ]);
    });

    it('is learnt silently when the reliances handle it or list no values', () => {
      const endpoint = feeder();
      expect(
        endpoint.feed(
          [
            [withStatus('pending'), 1],
            [withStatus('refunded'), 1],
          ],
          [{ path: '$.status', usedBy: 'connector-crm: handlers/contact.ts' }],
        ),
      ).toEqual([]);
      expect(endpoint.feed([[withStatus('succeeded'), 1]], reliesOn)).toEqual([]);
      expect(endpoint.profile.statuses['200']?.enums['$.status']).toEqual([
        'pending',
        'refunded',
        'succeeded',
      ]);
    });

    it('is never reported for a transient status', () => {
      const endpoint = feeder();
      expect(endpoint.feed([[withStatus('overloaded', 503), 1]], reliesOn)).toEqual([]);
    });
  });

  it('splits paths only on unescaped separators', () => {
    const dotted = shape({ fields: ['$.a\\.b:string', '$.meta\\.data:object', '$.meta\\.data.id:string'] });
    const endpoint = learned(dotted);
    // `$.a\.b` is a member of `$` (present), so its absence counts; read as `$.a` > `b` it never would.
    const without = shape({ fields: ['$.meta\\.data:object'] });
    expect(kinds(endpoint.feed([[without, 3]]))).toEqual([
      'field_missing $.a\\.b',
      'field_missing $.meta\\.data.id',
    ]);
    const nested = shape({
      fields: [
        '$.a\\.b:string',
        '$.meta\\.data:object',
        '$.meta\\.data.id:string',
        '$.meta\\.data.x:object',
        '$.meta\\.data.x.y:string',
      ],
    });
    expect(kinds(endpoint.feed([[nested, 1]]))).toEqual(['field_added $.meta\\.data.x']);
  });

  it('orders changes by run, then by path within a run', () => {
    const endpoint = learned();
    const first = shape({ fields: ['$.amount:string', '$.currency:string', '$.id:string', '$.zeta:string'] });
    const second = shape({
      fields: ['$.alpha:string', '$.amount:string', '$.currency:string', '$.id:number'],
    });
    expect(
      kinds(
        endpoint.feed([
          [first, 1],
          [second, 1],
        ]),
      ),
    ).toEqual(['type_changed $.amount', 'field_added $.zeta', 'field_added $.alpha', 'type_changed $.id']);
  });

  it('skips a run naming no shape', () => {
    const endpoint = learned();
    const result = applyObservation(
      endpoint.profile,
      {
        ...observation([[payment, 1]]),
        runs: [
          { hash: 'unknown', count: 4 },
          { hash: payment.hash, count: 1 },
        ],
      },
      options,
    );
    expect(result.changes).toEqual([]);
    expect(result.profile.samples).toBe(6);
  });

  it('leaves the profile it was given as it was', () => {
    const endpoint = learned();
    const before = structuredClone(endpoint.profile);
    const changed = shape({ fields: ['$.amount:string', '$.id:string', '$.new:string'], enums: [] });
    const result = applyObservation(endpoint.profile, observation([[changed, 4]]), options);
    expect(result.changes.length).toBeGreaterThan(0);
    expect(endpoint.profile).toEqual(before);
    expect(result.profile).not.toEqual(before);
  });

  it('refuses options that would report every first sample or every blip', () => {
    const run = observation([[payment, 1]]);
    expect(() => applyObservation(emptyProfile(), run, { learningSamples: 0, missingAfter: 3 })).toThrow(
      RangeError,
    );
    expect(() => applyObservation(emptyProfile(), run, { learningSamples: 5, missingAfter: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('isTransientStatus', () => {
  it('is true for timeouts, throttling and server errors only', () => {
    expect([408, 429, 500, 502, 503, 599].every(isTransientStatus)).toBe(true);
    expect([200, 201, 204, 400, 401, 403, 404, 409, 422].some(isTransientStatus)).toBe(false);
  });
});
