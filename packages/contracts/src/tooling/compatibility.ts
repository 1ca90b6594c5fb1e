/**
 * Avro schema compatibility as the Confluent/Apicurio registries define it, computed locally so that a
 * breaking change is caught before merge and the message names the field, not just "incompatible".
 *
 * BACKWARD: the new schema, as reader, must read everything written with the old one (consumers upgrade
 * first). FORWARD: the old schema must read data written with the new one. FULL: both. *_TRANSITIVE: against
 * every earlier version instead of the latest only.
 *
 * The rules are walked here for the messages; avsc's resolver then has the last word, so a rule this walk
 * misses still fails the check (with avsc's own wording).
 */
import avsc from 'avsc';
import type { Type } from 'avsc';

export type CompatibilityLevel =
  'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export const compatibilityLevels: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

/** An earlier version of the schema, with a label for messages, e.g. `registry version 2` or `git HEAD`. */
export interface PreviousVersion {
  readonly label: string;
  /** Parsed schema or its JSON text. */
  readonly schema: object | string;
}

export interface CompatibilityIssue {
  /** Field path, e.g. `totalAmountMinor`, `lines[].quantity`, `destination.postalCode`; `` for the record itself. */
  readonly field: string;
  /** What changed, e.g. `was added without a default`. */
  readonly reason: string;
  /** Label of the version it breaks against. */
  readonly against: string;
  /** `<subject>: field "<field>" <reason> (<level> vs <against>)` */
  readonly message: string;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly issues: readonly CompatibilityIssue[];
}

export interface CompatibilityOptions {
  /** Default BACKWARD_TRANSITIVE, the level of every event subject (docs/architecture.md#topics). */
  readonly level?: CompatibilityLevel;
  /** Prefix of the messages; defaults to the record's full name. */
  readonly subject?: string;
}

/** Checks `candidate` against `previous` (oldest first) at the given level. */
export function checkCompatibility(
  candidate: object | string,
  previous: readonly PreviousVersion[],
  options: CompatibilityOptions = {},
): CompatibilityResult {
  const level = options.level ?? 'BACKWARD_TRANSITIVE';
  const issues: CompatibilityIssue[] = [];
  const parsedCandidate = parse(candidate);
  const subject =
    options.subject ?? (parsedCandidate.ok ? (parsedCandidate.type.name ?? 'schema') : 'schema');
  const report = (found: readonly Found[], against: string): void => {
    for (const f of found) issues.push(toIssue(f, against, subject, level));
  };

  if (!parsedCandidate.ok) {
    report([{ field: '', reason: `is not a valid Avro schema: ${parsedCandidate.error}` }], 'itself');
    return { compatible: false, issues };
  }
  if (level === 'NONE') return { compatible: true, issues };

  const transitive = level.endsWith('_TRANSITIVE');
  const checkBackward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const checkForward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const versions = transitive ? previous : previous.slice(-1);

  for (const version of versions) {
    const old = parse(version.schema);
    if (!old.ok) {
      report(
        [{ field: '', reason: `cannot be compared: the old schema is invalid (${old.error})` }],
        version.label,
      );
      continue;
    }
    if (checkBackward) report(readIssues(parsedCandidate.type, old.type, 'backward'), version.label);
    if (checkForward) report(readIssues(old.type, parsedCandidate.type, 'forward'), version.label);
  }
  return { compatible: issues.length === 0, issues };
}

/** Which side of a read is the new schema: BACKWARD reads old data with the new schema, FORWARD the reverse. */
type Direction = 'backward' | 'forward';

interface Found {
  readonly field: string;
  readonly reason: string;
}

function toIssue(
  found: Found,
  against: string,
  subject: string,
  level: CompatibilityLevel,
): CompatibilityIssue {
  const what = found.field === '' ? found.reason : `field "${found.field}" ${found.reason}`;
  return { ...found, against, message: `${subject}: ${what} (${level} vs ${against})` };
}

function parse(schema: object | string): { ok: true; type: Type } | { ok: false; error: string } {
  try {
    const json: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
    return { ok: true, type: avsc.Type.forSchema(json as avsc.Schema) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function readIssues(reader: Type, writer: Type, direction: Direction): Found[] {
  const found: Found[] = [];
  compare(reader, writer, '', direction, found, new Set());
  if (found.length === 0) {
    try {
      reader.createResolver(writer);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const side =
        direction === 'backward' ? 'the new schema cannot read old data' : 'old readers cannot read new data';
      found.push({ field: '', reason: `${side}: ${detail}` });
    }
  }
  return found;
}

// Writer type → reader types that may read it (Avro specification, "Schema Resolution").
const promotions: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

interface FieldLike {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: Type;
  defaultValue(): unknown;
}

const isUnion = (t: Type): boolean => t.typeName.startsWith('union');
const branches = (t: Type): readonly Type[] => (t as unknown as { types: readonly Type[] }).types;
const isNamed = (t: Type): boolean => ['record', 'error', 'enum', 'fixed'].includes(t.typeName);

function namesMatch(reader: Type, writer: Type): boolean {
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');
}

function describe(t: Type): string {
  if (isUnion(t)) return `union<${branches(t).map(describe).join(', ')}>`;
  if (isNamed(t)) return t.name ?? t.typeName;
  if (t.typeName === 'array') return `array<${describe((t as avsc.types.ArrayType).itemsType)}>`;
  if (t.typeName === 'map') return `map<${describe((t as avsc.types.MapType).valuesType as Type)}>`;
  return t.typeName;
}

function compare(
  reader: Type,
  writer: Type,
  path: string,
  direction: Direction,
  out: Found[],
  seen: Set<string>,
): void {
  const typeChanged = (): void => {
    const [from, to] = direction === 'backward' ? [writer, reader] : [reader, writer];
    out.push({ field: path, reason: `changed type from ${describe(from)} to ${describe(to)}` });
  };

  if (isUnion(writer)) {
    // Every branch the writer may have used must be readable.
    for (const branch of branches(writer)) {
      if (!readBranch(reader, branch, path, direction, out, seen)) return typeChanged();
    }
    return;
  }
  if (isUnion(reader)) {
    if (!readBranch(reader, writer, path, direction, out, seen)) typeChanged();
    return;
  }

  if (reader.typeName !== writer.typeName) {
    if (!(promotions[writer.typeName] ?? []).includes(reader.typeName)) typeChanged();
    return;
  }
  if (isNamed(reader) && !namesMatch(reader, writer)) {
    if (path === '') {
      const [from, to] = direction === 'backward' ? [writer, reader] : [reader, writer];
      out.push({ field: '', reason: `record name changed from ${from.name} to ${to.name} without an alias` });
      return;
    }
    return typeChanged();
  }

  switch (reader.typeName) {
    case 'record':
    case 'error':
      return compareRecords(reader, writer, path, direction, out, seen);
    case 'enum':
      return compareEnums(reader, writer, path, direction, out);
    case 'fixed':
      if ((reader as avsc.types.FixedType).size !== (writer as avsc.types.FixedType).size) typeChanged();
      return;
    case 'array':
      return compare(
        (reader as avsc.types.ArrayType).itemsType,
        (writer as avsc.types.ArrayType).itemsType,
        `${path}[]`,
        direction,
        out,
        seen,
      );
    case 'map':
      return compare(
        (reader as avsc.types.MapType).valuesType as Type,
        (writer as avsc.types.MapType).valuesType as Type,
        `${path}{}`,
        direction,
        out,
        seen,
      );
    default:
      return; // same primitive
  }
}

/**
 * Reads one non-union writer type through `reader` (a union or not). A reader branch of the same kind and
 * name is followed so nested problems keep their field path; otherwise any branch that reads it cleanly
 * (e.g. through promotion) will do. Returns false when no branch fits at all.
 */
function readBranch(
  reader: Type,
  writer: Type,
  path: string,
  direction: Direction,
  out: Found[],
  seen: Set<string>,
) {
  const candidates = isUnion(reader) ? branches(reader) : [reader];
  const sameKind = candidates.find(
    (r) => r.typeName === writer.typeName && (!isNamed(r) || namesMatch(r, writer)),
  );
  if (sameKind) {
    compare(sameKind, writer, path, direction, out, seen);
    return true;
  }
  return candidates.some((r) => {
    const trial: Found[] = [];
    compare(r, writer, path, direction, trial, new Set(seen));
    return trial.length === 0;
  });
}

function compareRecords(
  reader: Type,
  writer: Type,
  path: string,
  direction: Direction,
  out: Found[],
  seen: Set<string>,
): void {
  // Recursive types: a pair already being compared further up is assumed to hold.
  const key = `${reader.name}<-${writer.name}`;
  if (seen.has(key)) return;
  seen.add(key);

  const writerFields = (writer as avsc.types.RecordType).fields as unknown as readonly FieldLike[];
  for (const field of (reader as avsc.types.RecordType).fields as unknown as readonly FieldLike[]) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const source = writerFields.find((w) => w.name === field.name || field.aliases.includes(w.name));
    if (source) {
      compare(field.type, source.type, fieldPath, direction, out, seen);
    } else if (field.defaultValue() === undefined) {
      out.push({
        field: fieldPath,
        reason:
          direction === 'backward'
            ? 'was added without a default'
            : 'was removed, and the previous version has no default for it',
      });
    }
  }
}

function compareEnums(reader: Type, writer: Type, path: string, direction: Direction, out: Found[]): void {
  const readerSymbols = (reader as avsc.types.EnumType).symbols;
  const readerDefault = (reader as unknown as { default?: string }).default;
  const unknown = (writer as avsc.types.EnumType).symbols.filter((s) => !readerSymbols.includes(s));
  if (unknown.length === 0 || readerDefault !== undefined) return;
  const list = unknown.map((s) => `"${s}"`).join(', ');
  out.push({
    field: path,
    reason:
      direction === 'backward'
        ? `lost enum symbol(s) ${list}, and the enum has no default`
        : `gained enum symbol(s) ${list}, and the previous enum has no default`,
  });
}
