/** Canonical, unambiguous byte encodings used as AAD. */

/** A lone UTF-16 surrogate: UTF-8 would encode every one of them as U+FFFD, so distinct strings would collide. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** UTF-8 bytes of `s`; refuses strings that are not well-formed Unicode, so that the encoding stays injective. */
function utf8(s: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw new RangeError('string is not well-formed Unicode (lone surrogate)');
  return Buffer.from(s, 'utf8');
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/**
 * Canonical encoding of an encryption context (string → string map), frozen by known-answer tests:
 * `count (u32 BE) | for each pair sorted by the key's UTF-8 bytes: len(key) u32 | key | len(value) u32 | value`.
 * The empty context encodes as four zero bytes. Throws `RangeError` if a key or value holds a lone surrogate.
 */
export function encodeContext(context: Readonly<Record<string, string>>): Buffer {
  const pairs = Object.keys(context).map((k) => [utf8(k), utf8(context[k] ?? '')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

/** Length-prefixed concatenation of labelled fields: no two different field lists encode the same. */
export function encodeFields(fields: readonly (string | number | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    const b = typeof f === 'string' ? utf8(f) : typeof f === 'number' ? u32(f) : Buffer.from(f);
    parts.push(u32(b.length), b);
  }
  return Buffer.concat(parts);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new RangeError('not a lower-case UUID');
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function bytesToUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
