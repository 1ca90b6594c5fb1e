import { ProblemError } from '../problems/problem-error.js';
import { JsonBodyError, JsonBodyErrorCode } from './errors.js';

// fatal: a lossy decode would put U+FFFD where the sender's bytes were, so what is stored is not what was
// signed. ignoreBOM: keep a BOM in the text so that it is refused, not silently dropped (RFC 8259 §8.1:
// senders must not add one, and the signed bytes include it).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const hexPattern = /^[0-9a-fA-F]{4}$/;

/**
 * Reads a request body as RFC 8259 JSON, strictly: UTF-8 without a byte order mark, one JSON text, no
 * object naming a member twice at any depth (compared after unescaping, so `"a"` and `"\u0061"` are the
 * same name). JSON.parse alone replaces bad bytes when decoding and lets the last duplicate win, so a
 * signature verifier and a consumer could see different `id`s. The scan is iterative: nesting depth is
 * bounded by the body limit, not by the stack. Throws JsonBodyError.
 */
export function parseStrictJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new JsonBodyError(JsonBodyErrorCode.notUtf8, `The body is not UTF-8 (byte ${offset}).`, { offset });
  }
  new Scanner(text).scan();
  return JSON.parse(text);
}

/**
 * The problem a refused body answers with (400, offset or pointer as extensions). A caller with its own
 * code for syntax errors (ingestion's webhooks) passes it as `malformedCode`.
 */
export function jsonBodyProblem(error: JsonBodyError, malformedCode: string = error.code): ProblemError {
  const code = error.code === JsonBodyErrorCode.malformed ? malformedCode : error.code;
  return new ProblemError(code, error.message, {}, { ...error.at });
}

/** Byte index of the first ill-formed sequence (Unicode Table 3-7), or -1 when the bytes are UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead === 0xe0) [length, low] = [3, 0xa0];
    else if (lead === 0xed)
      [length, high] = [3, 0x9f]; // above: UTF-16 surrogates, never valid in UTF-8
    else if (lead >= 0xe1 && lead <= 0xef) length = 3;
    else if (lead === 0xf0) [length, low] = [4, 0x90];
    else if (lead >= 0xf1 && lead <= 0xf3) length = 4;
    else if (lead === 0xf4) [length, high] = [4, 0x8f];
    else return i; // continuation byte, overlong lead (C0, C1) or above U+10FFFF
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined) return i;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (byte < min || byte > max) return i;
    }
    i += length;
  }
  return -1;
}

interface Frame {
  /** Member names seen so far; null for an array. */
  readonly names: Set<string> | null;
  /** The member name or array index whose value is being read (for the pointer). */
  at: string | number;
  /** An object that is the value of a member named `constructor`: its `prototype` member is refused. */
  readonly inConstructor: boolean;
}

class Scanner {
  private i = 0;
  private readonly stack: Frame[] = [];

  constructor(private readonly text: string) {}

  scan(): void {
    const { text } = this;
    if (text.charCodeAt(0) === 0xfeff) throw this.malformed(0, 'starts with a byte order mark');
    let expectValue = true;
    for (;;) {
      this.skipWhitespace();
      if (expectValue) {
        // After a non-empty container's opening, its first value comes next.
        expectValue = this.value();
        continue;
      }
      const top = this.stack.at(-1);
      if (!top) {
        if (this.i < text.length) throw this.malformed(this.i, 'has data after the JSON value');
        return;
      }
      const c = text[this.i];
      if (c === ',') {
        this.i++;
        if (top.names) this.member(top);
        else (top.at as number)++;
        expectValue = true;
      } else if (c === (top.names ? '}' : ']')) {
        this.i++;
        this.stack.pop();
      } else {
        throw this.malformed(this.i, top.names ? "expects ',' or '}'" : "expects ',' or ']'");
      }
    }
  }

  /** Reads a scalar or an empty container, or opens a non-empty container (true). */
  private value(): boolean {
    const { text } = this;
    const c = text[this.i];
    if (c === '{' || c === '[') {
      this.i++;
      this.skipWhitespace();
      const close = c === '{' ? '}' : ']';
      if (text[this.i] === close) {
        this.i++;
        return false;
      }
      const parent = this.stack.at(-1);
      const frame: Frame = {
        names: c === '{' ? new Set() : null,
        at: 0,
        inConstructor: c === '{' && parent?.names != null && parent.at === 'constructor',
      };
      this.stack.push(frame);
      if (frame.names) this.member(frame);
      return true;
    }
    if (c === '"') {
      this.i = this.endOfString(this.i);
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      numberPattern.lastIndex = this.i;
      if (!numberPattern.test(text)) throw this.malformed(this.i, 'has a malformed number');
      this.i = numberPattern.lastIndex;
    } else {
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, this.i));
      if (!literal) throw this.malformed(this.i, this.i < text.length ? 'expects a value' : 'ends early');
      this.i += literal.length;
    }
    return false;
  }

  /** Reads `"name" :` of an object member, refusing a name the object already has. */
  private member(frame: Frame): void {
    this.skipWhitespace();
    const start = this.i;
    if (this.text[start] !== '"') throw this.malformed(start, 'expects a member name');
    this.i = this.endOfString(start);
    const raw = this.text.slice(start + 1, this.i - 1);
    const name = raw.includes('\\') ? (JSON.parse(this.text.slice(start, this.i)) as string) : raw;
    if (name === '__proto__' || (name === 'prototype' && frame.inConstructor)) {
      const pointer = this.pointerTo(name);
      const offset = this.byteOffset(start);
      throw new JsonBodyError(
        JsonBodyErrorCode.forbiddenMember,
        `The body names the member ${pointer}, refused so that no merge of it can reach a prototype (byte ${offset}).`,
        { offset, pointer },
      );
    }
    if (frame.names!.has(name)) {
      const pointer = this.pointerTo(name);
      const offset = this.byteOffset(start);
      throw new JsonBodyError(
        JsonBodyErrorCode.duplicateKey,
        `The body names the member ${pointer} twice (byte ${offset}).`,
        { offset, pointer },
      );
    }
    frame.names!.add(name);
    frame.at = name;
    this.skipWhitespace();
    if (this.text[this.i] !== ':') throw this.malformed(this.i, "expects ':'");
    this.i++;
  }

  /** Index just past the closing quote of the string starting at `start`. */
  private endOfString(start: number): number {
    const { text } = this;
    let j = start + 1;
    for (;;) {
      const code = text.charCodeAt(j);
      if (Number.isNaN(code)) throw this.malformed(start, 'has an unterminated string');
      if (code === 0x22) return j + 1;
      if (code < 0x20) throw this.malformed(j, 'has a control character in a string');
      if (code === 0x5c) {
        const escape = text[j + 1];
        if (escape === 'u') {
          if (!hexPattern.test(text.slice(j + 2, j + 6)))
            throw this.malformed(j, 'has a malformed \\u escape');
          j += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          j += 2;
        } else {
          throw this.malformed(j, 'has a malformed escape');
        }
      } else {
        j++;
      }
    }
  }

  private skipWhitespace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.i);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.i++;
    }
  }

  private pointerTo(name: string): string {
    const path = [...this.stack.slice(0, -1).map((frame) => frame.at), name];
    return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
  }

  private byteOffset(index: number): number {
    return Buffer.byteLength(this.text.slice(0, index), 'utf8');
  }

  private malformed(index: number, what: string): JsonBodyError {
    const offset = this.byteOffset(index);
    return new JsonBodyError(
      JsonBodyErrorCode.malformed,
      `The body is not JSON: it ${what} (byte ${offset}).`,
      {
        offset,
      },
    );
  }
}
