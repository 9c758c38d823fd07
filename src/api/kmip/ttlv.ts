/**
 * KMIP's TTLV binary encoding (KMIP 1.0–1.4 and 2.0–2.1 share it; 2.0 adds Date-Time Extended).
 *
 * Every item is `tag (3 bytes) · type (1 byte) · length (4 bytes, big-endian) · value`, and the value is
 * followed by zero bytes up to the next multiple of 8. A Structure's value is its children, each padded, so
 * its length is a multiple of 8. Lengths are fixed for the numeric types (Integer 4, Long Integer 8, …).
 *
 * Decoding is strict and bounded: a declared length is checked against the bytes left and the type before
 * any value is read, padding must be zero, Text Strings must be valid UTF-8, Booleans must be 0 or 1, a
 * message is at most `maxMessageBytes` and nests at most `maxDepth` Structures. The recursion is bounded by
 * `maxDepth` (checked before descending), so a hostile message cannot exhaust the stack. Every failure is a
 * {@link TtlvDecodeError}; decoding never throws anything else.
 *
 * Byte Strings are returned as copies (not views into the input buffer), so the listener can zero its
 * receive buffer once a message is decoded. Key material inside them is wrapped into `SecretBytes` by the
 * operation adapters, not here: the codec does not know which Byte String is a key.
 */

/** The TTLV item types and their type byte (KMIP 1.4 §9.1.1.2, 2.0 §9.1.1.2). */
export const TTLV_TYPE_CODES = {
  Structure: 0x01,
  Integer: 0x02,
  LongInteger: 0x03,
  BigInteger: 0x04,
  Enumeration: 0x05,
  Boolean: 0x06,
  TextString: 0x07,
  ByteString: 0x08,
  DateTime: 0x09,
  Interval: 0x0a,
  DateTimeExtended: 0x0b,
} as const;

export type TtlvType = keyof typeof TTLV_TYPE_CODES;

const isTtlvType = (t: string): t is TtlvType => Object.hasOwn(TTLV_TYPE_CODES, t);

const TYPE_BY_CODE: ReadonlyMap<number, TtlvType> = (() => {
  const m = new Map<number, TtlvType>();
  for (const [t, code] of Object.entries(TTLV_TYPE_CODES)) if (isTtlvType(t)) m.set(code, t);
  return m;
})();

/** A decoded (or to-be-encoded) TTLV item. Tags are 24-bit numbers (0x42xxxx for KMIP's, 0x54xxxx extensions). */
export type TtlvItem =
  | { readonly tag: number; readonly type: 'Structure'; readonly value: readonly TtlvItem[] }
  /** Signed 32-bit. */
  | { readonly tag: number; readonly type: 'Integer'; readonly value: number }
  /** Signed 64-bit. */
  | { readonly tag: number; readonly type: 'LongInteger'; readonly value: bigint }
  /** Two's complement, big-endian, sign-extended to a multiple of 8 bytes. */
  | { readonly tag: number; readonly type: 'BigInteger'; readonly value: bigint }
  /** Unsigned 32-bit. */
  | { readonly tag: number; readonly type: 'Enumeration'; readonly value: number }
  | { readonly tag: number; readonly type: 'Boolean'; readonly value: boolean }
  | { readonly tag: number; readonly type: 'TextString'; readonly value: string }
  | { readonly tag: number; readonly type: 'ByteString'; readonly value: Uint8Array }
  /** Seconds since the POSIX epoch, signed 64-bit. */
  | { readonly tag: number; readonly type: 'DateTime'; readonly value: bigint }
  /** Seconds, unsigned 32-bit. */
  | { readonly tag: number; readonly type: 'Interval'; readonly value: number }
  /** Microseconds since the POSIX epoch, signed 64-bit (KMIP 2.0). */
  | { readonly tag: number; readonly type: 'DateTimeExtended'; readonly value: bigint };

export type TtlvStructure = Extract<TtlvItem, { type: 'Structure' }>;

/** Why a message was refused. The listener maps these to KMIP's Invalid Message or closes the connection. */
export type TtlvDecodeErrorKind =
  | 'Truncated'
  | 'TrailingBytes'
  | 'MessageTooLarge'
  | 'TooDeep'
  | 'UnknownType'
  | 'BadLength'
  | 'NonZeroPadding'
  | 'InvalidUtf8'
  | 'InvalidBoolean'
  | 'NotAStructure'
  | 'InvalidMessage';

/**
 * The one error TTLV decoding throws. `offset` is where in the input the problem was found. Not a
 * `KmsError`: a malformed message never reaches the pipeline, so it has no Arca error code; the KMIP
 * listener answers it with `TTLV_DECODE_RESULT_REASON` (messages.ts) or closes the connection.
 */
export class TtlvDecodeError extends Error {
  override readonly name = 'TtlvDecodeError';
  constructor(
    readonly kind: TtlvDecodeErrorKind,
    message: string,
    readonly offset: number,
  ) {
    super(`${kind}: ${message} (at byte ${offset})`);
  }
}

/** Thrown by {@link encodeTtlv} when an item's value does not fit its type; a programming error, not input. */
export class TtlvEncodeError extends Error {
  override readonly name = 'TtlvEncodeError';
}

export interface TtlvLimits {
  /** Largest whole message, header included. */
  readonly maxMessageBytes: number;
  /** Deepest Structure nesting; the top-level Structure is depth 1. */
  readonly maxDepth: number;
}

export const DEFAULT_TTLV_LIMITS: TtlvLimits = { maxMessageBytes: 1024 * 1024, maxDepth: 16 };

/** Tag (3), type (1) and length (4). */
export const TTLV_HEADER_BYTES = 8;
const HEADER = TTLV_HEADER_BYTES;
/** Arithmetic, not `(n + 7) & ~7`: bitwise operators are 32-bit signed, and a hostile length of 2^31 or more would pad to a negative end (found by the fuzz test). */
const pad8 = (n: number): number => n + ((8 - (n % 8)) % 8);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** The value length each fixed-size type must declare. */
const FIXED_LENGTH: Partial<Record<TtlvType, number>> = {
  Integer: 4,
  LongInteger: 8,
  Enumeration: 4,
  Boolean: 8,
  DateTime: 8,
  Interval: 4,
  DateTimeExtended: 8,
};

/**
 * Decodes one whole message: exactly one TTLV item filling `bytes`. The top-level item must be a Structure
 * (every KMIP message is one). Throws {@link TtlvDecodeError} and nothing else.
 */
export function decodeTtlv(bytes: Uint8Array, limits: TtlvLimits = DEFAULT_TTLV_LIMITS): TtlvStructure {
  try {
    if (bytes.length > limits.maxMessageBytes) {
      throw new TtlvDecodeError('MessageTooLarge', `message of ${bytes.length} bytes exceeds ${limits.maxMessageBytes}`, 0);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [item, end] = readItem(bytes, view, 0, bytes.length, 1, limits);
    if (end !== bytes.length) throw new TtlvDecodeError('TrailingBytes', `${bytes.length - end} bytes after the message`, end);
    if (item.type !== 'Structure') throw new TtlvDecodeError('NotAStructure', 'a message must be a Structure', 0);
    return item;
  } catch (e) {
    if (e instanceof TtlvDecodeError) throw e;
    // Defensive: no path above is meant to throw anything else; if one does, it is still a refusal.
    throw new TtlvDecodeError('InvalidMessage', 'undecodable message', 0);
  }
}

/** Reads the item at `at`, which must end by `limit`; returns it and the offset after its padding. */
function readItem(bytes: Uint8Array, view: DataView, at: number, limit: number, depth: number, limits: TtlvLimits): [TtlvItem, number] {
  if (limit - at < HEADER) throw new TtlvDecodeError('Truncated', 'item header cut short', at);
  const tag = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
  const type = TYPE_BY_CODE.get(bytes[at + 3]!);
  if (type === undefined) throw new TtlvDecodeError('UnknownType', `type byte 0x${bytes[at + 3]!.toString(16)}`, at + 3);
  const length = view.getUint32(at + 4);
  const start = at + HEADER;
  const fixed = FIXED_LENGTH[type];
  if (fixed !== undefined && length !== fixed) throw new TtlvDecodeError('BadLength', `${type} must have length ${fixed}, not ${length}`, at + 4);
  if ((type === 'BigInteger' && (length === 0 || length % 8 !== 0)) || (type === 'Structure' && length % 8 !== 0)) {
    throw new TtlvDecodeError('BadLength', `${type} length ${length} is not a multiple of 8`, at + 4);
  }
  const end = start + pad8(length);
  if (end > limit) throw new TtlvDecodeError('Truncated', `${type} of length ${length} overruns its container`, at + 4);
  for (let i = start + length; i < end; i++) {
    if (bytes[i] !== 0) throw new TtlvDecodeError('NonZeroPadding', 'padding byte is not zero', i);
  }
  switch (type) {
    case 'Structure': {
      if (depth > limits.maxDepth) throw new TtlvDecodeError('TooDeep', `nesting deeper than ${limits.maxDepth}`, at);
      const children: TtlvItem[] = [];
      let p = start;
      while (p < end) {
        const [child, next] = readItem(bytes, view, p, end, depth + 1, limits);
        children.push(child);
        p = next;
      }
      return [{ tag, type, value: children }, end];
    }
    case 'Integer':
      return [{ tag, type, value: view.getInt32(start) }, end];
    case 'LongInteger':
      return [{ tag, type, value: view.getBigInt64(start) }, end];
    case 'BigInteger': {
      let v = 0n;
      for (let i = start; i < start + length; i++) v = (v << 8n) | BigInt(bytes[i]!);
      return [{ tag, type, value: BigInt.asIntN(length * 8, v) }, end];
    }
    case 'Enumeration':
      return [{ tag, type, value: view.getUint32(start) }, end];
    case 'Boolean': {
      const v = view.getBigUint64(start);
      if (v > 1n) throw new TtlvDecodeError('InvalidBoolean', 'a Boolean must be 0 or 1', start);
      return [{ tag, type, value: v === 1n }, end];
    }
    case 'TextString': {
      try {
        return [{ tag, type, value: utf8.decode(bytes.subarray(start, start + length)) }, end];
      } catch {
        throw new TtlvDecodeError('InvalidUtf8', 'Text String is not valid UTF-8', start);
      }
    }
    case 'ByteString':
      return [{ tag, type, value: bytes.slice(start, start + length) }, end];
    case 'DateTime':
      return [{ tag, type, value: view.getBigInt64(start) }, end];
    case 'Interval':
      return [{ tag, type, value: view.getUint32(start) }, end];
    case 'DateTimeExtended':
      return [{ tag, type, value: view.getBigInt64(start) }, end];
    default:
      return assertNever(type);
  }
}

function assertNever(x: never): never {
  throw new TtlvDecodeError('UnknownType', `unhandled type ${String(x)}`, 0);
}

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const UINT32 = [0, 2 ** 32 - 1] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;

function checkInt(item: TtlvItem, v: number, [lo, hi]: readonly [number, number]): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new TtlvEncodeError(`${item.type} value ${v} out of range for tag 0x${item.tag.toString(16)}`);
}

function checkBig(item: TtlvItem, v: bigint): void {
  if (v < INT64[0] || v > INT64[1]) throw new TtlvEncodeError(`${item.type} value ${v} out of range for tag 0x${item.tag.toString(16)}`);
}

/** The byte length of a Big Integer's value: the shortest multiple of 8 that holds it in two's complement. */
function bigIntegerLength(v: bigint): number {
  let n = 8;
  while (BigInt.asIntN(n * 8, v) !== v) n += 8;
  return n;
}

/** The value length (before padding) of an item; Text Strings are measured in UTF-8 bytes. */
function valueLength(item: TtlvItem, text: Map<TtlvItem, Uint8Array>): number {
  switch (item.type) {
    case 'Structure':
      return item.value.reduce((sum, c) => sum + HEADER + pad8(valueLength(c, text)), 0);
    case 'BigInteger':
      return bigIntegerLength(item.value);
    case 'TextString': {
      const b = utf8Encoder.encode(item.value);
      text.set(item, b);
      return b.length;
    }
    case 'ByteString':
      return item.value.length;
    case 'Integer':
    case 'LongInteger':
    case 'Enumeration':
    case 'Boolean':
    case 'DateTime':
    case 'Interval':
    case 'DateTimeExtended':
      return FIXED_LENGTH[item.type] ?? 0;
    default:
      return assertNever(item);
  }
}

/** Encodes one item (normally a whole message Structure). Throws {@link TtlvEncodeError} on out-of-range values. */
export function encodeTtlv(item: TtlvItem): Uint8Array {
  const text = new Map<TtlvItem, Uint8Array>();
  const total = HEADER + pad8(valueLength(item, text));
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const end = writeItem(out, view, 0, item, text);
  if (end !== total) throw new TtlvEncodeError(`encoded ${end} bytes, expected ${total}`);
  return out;
}

function writeItem(out: Uint8Array, view: DataView, at: number, item: TtlvItem, text: Map<TtlvItem, Uint8Array>): number {
  if (!Number.isInteger(item.tag) || item.tag < 0 || item.tag > 0xffffff) throw new TtlvEncodeError(`tag ${item.tag} is not 24-bit`);
  out[at] = item.tag >>> 16;
  out[at + 1] = (item.tag >>> 8) & 0xff;
  out[at + 2] = item.tag & 0xff;
  out[at + 3] = TTLV_TYPE_CODES[item.type];
  const start = at + HEADER;
  let length: number;
  switch (item.type) {
    case 'Structure': {
      let p = start;
      for (const child of item.value) p = writeItem(out, view, p, child, text);
      length = p - start;
      break;
    }
    case 'Integer':
      checkInt(item, item.value, INT32);
      view.setInt32(start, item.value);
      length = 4;
      break;
    case 'Enumeration':
    case 'Interval':
      checkInt(item, item.value, UINT32);
      view.setUint32(start, item.value);
      length = 4;
      break;
    case 'LongInteger':
    case 'DateTime':
    case 'DateTimeExtended':
      checkBig(item, item.value);
      view.setBigInt64(start, item.value);
      length = 8;
      break;
    case 'BigInteger': {
      length = bigIntegerLength(item.value);
      let v = BigInt.asUintN(length * 8, item.value);
      for (let i = length - 1; i >= 0; i--) {
        out[start + i] = Number(v & 0xffn);
        v >>= 8n;
      }
      break;
    }
    case 'Boolean':
      view.setBigUint64(start, item.value ? 1n : 0n);
      length = 8;
      break;
    case 'TextString': {
      const b = text.get(item) ?? utf8Encoder.encode(item.value);
      out.set(b, start);
      length = b.length;
      break;
    }
    case 'ByteString':
      out.set(item.value, start);
      length = item.value.length;
      break;
    default:
      return assertNever(item);
  }
  view.setUint32(at + 4, length);
  return start + pad8(length); // padding bytes are already zero: the buffer is fresh
}

/** The children of `s` with `tag`, in order. */
export function childrenWithTag(s: TtlvStructure, tag: number): TtlvItem[] {
  return s.value.filter((c) => c.tag === tag);
}
