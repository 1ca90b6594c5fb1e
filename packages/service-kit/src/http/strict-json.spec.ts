import { ProblemError } from '../problems/problem-error.js';
import { JsonBodyError } from './errors.js';
import { firstInvalidUtf8, jsonBodyProblem, parseStrictJson } from './strict-json.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8(part) : Buffer.from(part))));

function refusal(body: Buffer): JsonBodyError {
  try {
    parseStrictJson(body);
  } catch (error) {
    if (error instanceof JsonBodyError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads when the body is well-formed', () => {
    const text = ' {"a":[1,-2.5e3,true,false,null,{"b":"\\u00e9\\n"}],"é":{},"c":[],"d":"日本"} ';
    expect(parseStrictJson(utf8(text))).toEqual(JSON.parse(text));
    expect(parseStrictJson(utf8('"just a string"'))).toBe('just a string');
    expect(parseStrictJson(utf8('0'))).toBe(0);
  });

  it.each([
    ['a lone continuation byte', bytes('{"a":"x', [0x80], '"}'), 7],
    ['a truncated sequence', bytes('{"a":"', [0xe2, 0x82], '"}'), 6],
    ['an overlong "/" (C0 AF)', bytes('{"a":"', [0xc0, 0xaf], '"}'), 6],
    ['an overlong three-byte NUL (E0 80 80)', bytes('{"a":"', [0xe0, 0x80, 0x80], '"}'), 6],
    ['a UTF-8-encoded high surrogate (ED A0 80)', bytes('{"a":"', [0xed, 0xa0, 0x80], '"}'), 6],
    ['a UTF-8-encoded low surrogate (ED BF BF)', bytes('{"a":"', [0xed, 0xbf, 0xbf], '"}'), 6],
    ['a code point above U+10FFFF (F4 90 80 80)', bytes('{"a":"', [0xf4, 0x90, 0x80, 0x80], '"}'), 6],
    ['a Latin-1 byte in a member name', bytes('{"caf', [0xe9], '":1}'), 5],
  ])('refuses %s as REQUEST_BODY_NOT_UTF8 with its byte offset', (_name, body, offset) => {
    const error = refusal(body);
    expect(error.code).toBe('REQUEST_BODY_NOT_UTF8');
    expect(error.at).toEqual({ offset });
  });

  it('takes every well-formed sequence at the edges of Table 3-7', () => {
    const edges = '\u0000\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}';
    expect(firstInvalidUtf8(utf8(edges))).toBe(-1);
    expect(parseStrictJson(utf8(JSON.stringify({ edges })))).toEqual({ edges });
  });

  it.each([
    ['at the top', '{"id":"evt_1","id":"evt_2"}', '/id', 14],
    ['after unescaping', '{"id":1,"\\u0069d":2}', '/id', 8],
    ['deep inside arrays and objects', '{"a":[{"x":1},{"b":{"k":1,"k":2}}]}', '/a/1/b/k', 26],
    ['with pointer escapes', '{"m":{"a/b~":1,"a/b~":2}}', '/m/a~1b~0', 15],
  ])('refuses a duplicated member %s, naming its JSON pointer', (_name, text, pointer, offset) => {
    const error = refusal(utf8(text));
    expect(error.code).toBe('REQUEST_BODY_DUPLICATE_KEY');
    expect(error.at).toEqual({ pointer, offset });
  });

  it('takes the same name in sibling objects and a name that differs only by case', () => {
    expect(parseStrictJson(utf8('[{"a":1},{"a":2},{"A":3,"a":4}]'))).toEqual([
      { a: 1 },
      { a: 2 },
      { A: 3, a: 4 },
    ]);
  });

  it.each([
    ['__proto__ at the top', '{"a":1,"__proto__":{"polluted":true}}', '/__proto__', 7],
    ['__proto__ deep, escaped', '{"a":[{"\\u005f_proto__":{}}]}', '/a/0/__proto__', 7],
    [
      'prototype inside constructor',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '/constructor/prototype',
      16,
    ],
  ])('refuses %s (prototype poisoning) with its pointer', (_name, text, pointer, offset) => {
    const error = refusal(utf8(text));
    expect(error.code).toBe('REQUEST_BODY_FORBIDDEN_MEMBER');
    expect(error.at).toEqual({ offset, pointer });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('takes constructor and prototype where they cannot reach a prototype', () => {
    const text = '{"constructor":"Foo","prototype":1,"x":{"constructor":[{"prototype":2}]}}';
    expect(parseStrictJson(utf8(text))).toEqual(JSON.parse(text));
  });

  it('reads a deeply nested body without exhausting the stack, and finds a duplicate at the bottom', () => {
    const depth = 100_000;
    const nested = `${'['.repeat(depth)}{"k":1}${']'.repeat(depth)}`;
    expect(() => parseStrictJson(utf8(nested))).not.toThrow();
    const error = refusal(utf8(`${'['.repeat(depth)}{"k":1,"k":2}${']'.repeat(depth)}`));
    expect(error.code).toBe('REQUEST_BODY_DUPLICATE_KEY');
    expect(error.at.pointer).toBe(`${'/0'.repeat(depth)}/k`);
  });

  it.each([
    ['an empty body', '', 0],
    ['a byte order mark', '\ufeff{}', 0],
    ['trailing data', '{} {}', 3],
    ['a trailing comma', '{"a":1,}', 7],
    ['a leading zero', '[01]', 2],
    ['a single-quoted string', "{'a':1}", 1],
    ['a raw control character', '{"a":"\t"}', 6],
    ['a bad escape', '{"a":"\\x"}', 6],
    ['a short \\u escape', '{"a":"\\u12"}', 6],
    ['an unterminated string', '{"a":"abc', 5],
    ['NaN', '[NaN]', 1],
    ['a missing colon', '{"a" 1}', 5],
    ['an unclosed array', '[1,2', 4],
    ['a non-JSON whitespace (NBSP) after a multi-byte name', '{"é":1,\u00a0"b":2}', 8],
  ])('refuses %s as REQUEST_MALFORMED with its byte offset', (_name, text, offset) => {
    const error = refusal(utf8(text));
    expect(error.code).toBe('REQUEST_MALFORMED');
    expect(error.at).toEqual({ offset });
  });

  it('refuses nothing JSON.parse reads, on a sample of valid texts', () => {
    const samples = [
      '[]',
      '{}',
      ' [ 1 , 2 ] ',
      '{"a":{"b":{"c":[[],{}]}}}',
      '-0',
      '1E+2',
      '"\\"\\\\\\/\\b\\f\\n\\r\\t\\uD83D\\uDE00"',
      '\r\n\t{"a":null}\r\n',
    ];
    for (const text of samples) expect(parseStrictJson(utf8(text))).toEqual(JSON.parse(text));
  });
});

describe('jsonBodyProblem', () => {
  it('keeps the code and the pointer, and lets a caller name its own code for syntax', () => {
    const duplicate = jsonBodyProblem(refusal(utf8('{"a":1,"a":2}')));
    expect(duplicate).toBeInstanceOf(ProblemError);
    expect(duplicate).toMatchObject({
      code: 'REQUEST_BODY_DUPLICATE_KEY',
      extensions: { pointer: '/a', offset: 7 },
    });
    expect(jsonBodyProblem(refusal(utf8('{')), 'WEBHOOK_PAYLOAD_MALFORMED').code).toBe(
      'WEBHOOK_PAYLOAD_MALFORMED',
    );
    expect(jsonBodyProblem(refusal(bytes([0xff])), 'WEBHOOK_PAYLOAD_MALFORMED').code).toBe(
      'REQUEST_BODY_NOT_UTF8',
    );
  });
});
