/**
 * Reading KMIP request payloads and building response payloads: typed access to a Structure's fields,
 * where a field of the wrong type or a missing required one is the batch item's Invalid Field (or
 * Missing Data), never an exception the listener did not expect.
 */
import { KmipError } from './errors.js';
import { TAG } from './tags.js';
import type { TtlvItem, TtlvStructure } from './ttlv.js';

type Typed<T extends TtlvItem['type']> = Extract<TtlvItem, { type: T }>;

/** The name of a tag for messages: its TAG key, or its hex value. */
export function tagName(tag: number): string {
  for (const [name, value] of Object.entries(TAG)) if (value === tag) return name;
  return `0x${tag.toString(16)}`;
}

/** Reads the fields of one Structure (a request payload, or a structure inside it). */
export class Fields {
  readonly #s: TtlvStructure | undefined;

  constructor(s: TtlvStructure | undefined) {
    this.#s = s;
  }

  get items(): readonly TtlvItem[] {
    return this.#s?.value ?? [];
  }

  all(tag: number): TtlvItem[] {
    return this.items.filter((c) => c.tag === tag);
  }

  #one<T extends TtlvItem['type']>(tag: number, type: T): Typed<T> | undefined {
    const found = this.all(tag);
    if (found.length > 1) throw new KmipError('InvalidField', `${tagName(tag)} appears ${found.length} times`);
    const item = found[0];
    if (item === undefined) return undefined;
    if (item.type !== type) throw new KmipError('InvalidField', `${tagName(tag)} must be a ${type}, not a ${item.type}`);
    return item as Typed<T>;
  }

  text(tag: number): string | undefined {
    return this.#one(tag, 'TextString')?.value;
  }

  enumeration(tag: number): number | undefined {
    return this.#one(tag, 'Enumeration')?.value;
  }

  integer(tag: number): number | undefined {
    return this.#one(tag, 'Integer')?.value;
  }

  bytes(tag: number): Uint8Array | undefined {
    return this.#one(tag, 'ByteString')?.value;
  }

  boolean(tag: number): boolean | undefined {
    return this.#one(tag, 'Boolean')?.value;
  }

  date(tag: number): bigint | undefined {
    return this.#one(tag, 'DateTime')?.value;
  }

  structure(tag: number): Fields | undefined {
    const s = this.#one(tag, 'Structure');
    return s === undefined ? undefined : new Fields(s);
  }

  raw(tag: number): TtlvItem | undefined {
    const found = this.all(tag);
    if (found.length > 1) throw new KmipError('InvalidField', `${tagName(tag)} appears ${found.length} times`);
    return found[0];
  }
}

/** `value`, or Missing Data naming the field. */
export function need<T>(value: T | undefined, tag: number): T {
  if (value === undefined) throw new KmipError('MissingData', `${tagName(tag)} is required`);
  return value;
}

/** The name of an enumeration value in `table`, or Invalid Field. */
export function enumName<K extends string>(table: Readonly<Record<K, number>>, value: number, tag: number): K {
  for (const k in table) if (table[k] === value) return k;
  throw new KmipError('InvalidField', `${tagName(tag)} ${value} is not supported`);
}

export const text = (tag: number, value: string): TtlvItem => ({ tag, type: 'TextString', value });
export const enumeration = (tag: number, value: number): TtlvItem => ({ tag, type: 'Enumeration', value });
export const integer = (tag: number, value: number): TtlvItem => ({ tag, type: 'Integer', value });
export const bytes = (tag: number, value: Uint8Array): TtlvItem => ({ tag, type: 'ByteString', value });
export const boolean = (tag: number, value: boolean): TtlvItem => ({ tag, type: 'Boolean', value });
export const structure = (tag: number, value: readonly TtlvItem[]): TtlvItem => ({ tag, type: 'Structure', value });
export const dateTime = (tag: number, seconds: number): TtlvItem => ({ tag, type: 'DateTime', value: BigInt(Math.floor(seconds)) });
