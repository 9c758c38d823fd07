/**
 * A strict JSON parser (RFC 8259, as JSON.parse accepts) that says where things are: a syntax error carries
 * its line and column, and a parsed document carries the offset of every value by path
 * (`Statement[1].Effect`), so a structural error can point at its line too. Browsers' JSON.parse messages
 * differ (and some give no position), hence this parser.
 */

export interface Position {
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Located = { ok: true; value: JsonValue; offsets: ReadonlyMap<string, number> } | { ok: false; message: string; at: Position };

export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { offset, line, column: offset - start + 1 };
}

class SyntaxFault {
  constructor(readonly message: string, readonly offset: number) {}
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function parseLocated(text: string): Located {
  const offsets = new Map<string, number>();
  let i = 0;
  const describe = (): string => (i >= text.length ? 'end of input' : `'${text[i]}'`);
  const fail = (expected: string): never => {
    throw new SyntaxFault(`Expected ${expected} but found ${describe()}`, i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('a JSON value');
  };
  const string = (): string => {
    i++; // the opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) throw new SyntaxFault('Unterminated string', i);
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) throw new SyntaxFault('Control character in a string (escape it, e.g. \\n)', i);
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text.charAt(i + 1);
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else throw new SyntaxFault('Invalid escape sequence in a string', i);
    }
  };
  const number = (): number => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null) return fail('a JSON value');
    i += m[0].length;
    return Number(m[0]);
  };
  const value = (path: string): JsonValue => {
    ws();
    offsets.set(path, i);
    const c = text.charAt(i);
    if (c === '{') return object(path);
    if (c === '[') return array(path);
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    return fail('a JSON value');
  };
  const object = (path: string): JsonValue => {
    i++;
    const out: { [key: string]: JsonValue } = {};
    ws();
    if (text.charAt(i) === '}') {
      i++;
      return out;
    }
    for (;;) {
      ws();
      if (text.charAt(i) !== '"') fail("a property name in double quotes");
      const key = string();
      ws();
      if (text.charAt(i) !== ':') fail("':' after a property name");
      i++;
      out[key] = value(childPath(path, key));
      ws();
      if (text.charAt(i) === ',') {
        i++;
        continue;
      }
      if (text.charAt(i) === '}') {
        i++;
        return out;
      }
      fail("',' or '}'");
    }
  };
  const array = (path: string): JsonValue => {
    i++;
    const out: JsonValue[] = [];
    ws();
    if (text.charAt(i) === ']') {
      i++;
      return out;
    }
    for (;;) {
      out.push(value(childPath(path, out.length)));
      ws();
      if (text.charAt(i) === ',') {
        i++;
        continue;
      }
      if (text.charAt(i) === ']') {
        i++;
        return out;
      }
      fail("',' or ']'");
    }
  };
  try {
    const v = value('');
    ws();
    if (i < text.length) fail('end of input');
    return { ok: true, value: v, offsets };
  } catch (e) {
    if (e instanceof SyntaxFault) return { ok: false, message: e.message, at: positionOf(text, e.offset) };
    throw e;
  }
}
