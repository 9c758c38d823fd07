/**
 * KMIP attributes ↔ Arca keys (docs/kmip.md, ADR 0027). A client sends attributes two ways: KMIP 1.x's
 * `Attribute {Attribute Name, Attribute Value}` (in a Template-Attribute, or loose in Locate), and 2.0's
 * `Attributes` structure whose children carry their own tags. Both are read into one {@link ClientAttributes};
 * answers are written in the form of the request's protocol version.
 */
import { KmipError } from './errors.js';
import { Fields, enumName, structure, text, enumeration } from './payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, NAME_TYPE, OBJECT_TYPE, STATE, TAG } from './tags.js';
import type { TtlvItem, TtlvStructure } from './ttlv.js';

/** KMIP 1.x attribute names (1.4 §3) of the attributes Arca reads or answers, with their tags. */
export const ATTRIBUTE_TAGS: Readonly<Record<string, number>> = {
  'Unique Identifier': TAG.UniqueIdentifier,
  Name: TAG.Name,
  'Object Type': TAG.ObjectType,
  'Cryptographic Algorithm': TAG.CryptographicAlgorithm,
  'Cryptographic Length': TAG.CryptographicLength,
  'Cryptographic Usage Mask': TAG.CryptographicUsageMask,
  'Cryptographic Parameters': TAG.CryptographicParameters,
  State: TAG.State,
  'Initial Date': TAG.InitialDate,
  'Activation Date': TAG.ActivationDate,
  'Deactivation Date': TAG.DeactivationDate,
  'Compromise Date': TAG.CompromiseDate,
  'Compromise Occurrence Date': TAG.CompromiseOccurrenceDate,
  'Revocation Reason': TAG.RevocationReason,
  'Object Group': TAG.ObjectGroup,
  'Contact Information': TAG.ContactInformation,
  'Operation Policy Name': TAG.OperationPolicyName,
  'Original Creation Date': TAG.OriginalCreationDate,
  Extractable: TAG.Extractable,
  Sensitive: TAG.Sensitive,
};

const NAME_BY_TAG: ReadonlyMap<number, string> = new Map(Object.entries(ATTRIBUTE_TAGS).map(([n, t]) => [t, n]));

/** The attributes a client may set, stored as plain tags of the key (visible through the AWS API). */
export const TAGGED_ATTRIBUTES: Readonly<Record<string, string>> = {
  'Object Group': 'kmip:ObjectGroup',
  'Contact Information': 'kmip:ContactInformation',
  'Cryptographic Usage Mask': 'kmip:CryptographicUsageMask',
};

/** Whether `name` is a KMIP custom attribute (1.x: `x-` client, `y-` server), kept as a tag of that name. */
export const isCustomAttribute = (name: string): boolean => /^[xy]-[\x21-\x7e]{1,126}$/.test(name);

/**
 * A KMIP Name as an alias (names are unique, like aliases): `alias/<name>`, each character an alias cannot
 * hold (anything but letters, digits, `/` and `-`; `_` too, the escape) written `_` + its UTF-8 bytes in
 * hex, so `Symmetric Key` is `alias/Symmetric_20Key` and the name reads back unchanged.
 */
export function nameToAlias(name: string): string {
  const escaped = [...Buffer.from(name, 'utf8')].map((b) => (/[A-Za-z0-9/-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, '0')}`)).join('');
  if (escaped.toLowerCase().startsWith('aws/')) throw new KmipError('InvalidField', `the Name '${name}' is reserved: names beginning with aws/ are AWS's aliases`);
  if (escaped.length > 250) throw new KmipError('InvalidField', `the Name '${name.slice(0, 40)}…' is too long: its alias form must be at most 256 characters`);
  return `alias/${escaped}`;
}

/** The KMIP Name of an alias (the inverse of {@link nameToAlias}). */
export function aliasToName(alias: string): string {
  const body = alias.replace(/^alias\//, '');
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '_' && /^[0-9a-f]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(body.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One attribute as the client sent it: its name (1.x spelling, or the custom name) and its value with the attribute's own tag. */
export interface ClientAttribute {
  readonly name: string;
  readonly value: TtlvItem;
}

/** Reads a 1.x `Attribute` structure. */
export function readAttribute(item: TtlvItem): ClientAttribute {
  if (item.type !== 'Structure') throw new KmipError('InvalidField', 'Attribute must be a Structure');
  const f = new Fields(item);
  const name = f.text(TAG.AttributeName);
  const value = f.raw(TAG.AttributeValue);
  if (name === undefined || value === undefined) throw new KmipError('InvalidField', 'an Attribute needs an Attribute Name and an Attribute Value');
  const tag = ATTRIBUTE_TAGS[name];
  if (tag === undefined && !isCustomAttribute(name)) throw new KmipError('InvalidField', `attribute '${name}' is not supported by Arca`);
  return { name, value: { ...value, tag: tag ?? TAG.AttributeValue } };
}

/** Reads a 2.0 `Attributes` child (its tag names it). */
function readTaggedAttribute(item: TtlvItem): ClientAttribute {
  const name = NAME_BY_TAG.get(item.tag);
  if (name === undefined) throw new KmipError('InvalidField', `attribute tag 0x${item.tag.toString(16)} is not supported by Arca`);
  return { name, value: item };
}

/** Every attribute of a payload, in either version's form: Template-Attribute / loose Attributes (1.x) and Attributes (2.0). */
export function payloadAttributes(payload: Fields): ClientAttribute[] {
  const out: ClientAttribute[] = [];
  for (const item of payload.all(TAG.Attribute)) out.push(readAttribute(item));
  const template = payload.structure(TAG.TemplateAttribute);
  if (template !== undefined) for (const item of template.all(TAG.Attribute)) out.push(readAttribute(item));
  const attributes = payload.structure(TAG.Attributes);
  if (attributes !== undefined) for (const item of attributes.items) out.push(readTaggedAttribute(item));
  return out;
}

/** What Create, Register and Locate understand of the attributes. */
export interface AttributeSet {
  algorithm?: keyof typeof CRYPTOGRAPHIC_ALGORITHM;
  length?: number;
  usageMask?: number;
  names: string[];
  objectType?: keyof typeof OBJECT_TYPE;
  state?: keyof typeof STATE;
  extractable?: boolean;
  activationDate?: bigint;
  /** Tags to set: the tagged standard attributes and the custom ones. */
  tags: Map<string, string>;
}

function scalar(a: ClientAttribute, type: TtlvItem['type']): TtlvItem {
  if (a.value.type !== type) throw new KmipError('InvalidField', `attribute '${a.name}' must be a ${type}`);
  return a.value;
}

/** The Name Value of a Name attribute (only uninterpreted text names). */
export function nameValue(a: ClientAttribute): string {
  if (a.value.type !== 'Structure') throw new KmipError('InvalidField', 'Name must be a Structure');
  const f = new Fields(a.value);
  const value = f.text(TAG.NameValue);
  if (value === undefined || value.length === 0) throw new KmipError('InvalidField', 'Name needs a Name Value');
  return value;
}

/** A tag's value for a tagged or custom attribute (text, or a number written in decimal). */
export function tagValue(a: ClientAttribute): string {
  const v = a.value;
  if (v.type === 'TextString') return v.value;
  if (v.type === 'Integer' || v.type === 'Enumeration' || v.type === 'Interval') return String(v.value);
  if (v.type === 'LongInteger' || v.type === 'DateTime' || v.type === 'BigInteger') return v.value.toString();
  if (v.type === 'Boolean') return String(v.value);
  throw new KmipError('InvalidField', `attribute '${a.name}' must be a text string or a number (Arca keeps it as a key tag)`);
}

/** Reads the attributes into an {@link AttributeSet}: what Create, Register and Locate understand, the rest refused. */
export function attributeSet(attrs: readonly ClientAttribute[]): AttributeSet {
  const set: AttributeSet = { names: [], tags: new Map() };
  for (const a of attrs) {
    const tagged = TAGGED_ATTRIBUTES[a.name];
    if (a.name === 'Name') set.names.push(nameValue(a));
    else if (a.name === 'Cryptographic Algorithm') set.algorithm = enumName(CRYPTOGRAPHIC_ALGORITHM, scalar(a, 'Enumeration').value as number, TAG.CryptographicAlgorithm);
    else if (a.name === 'Cryptographic Length') set.length = scalar(a, 'Integer').value as number;
    else if (a.name === 'Object Type') set.objectType = enumName(OBJECT_TYPE, scalar(a, 'Enumeration').value as number, TAG.ObjectType);
    else if (a.name === 'State') set.state = enumName(STATE, scalar(a, 'Enumeration').value as number, TAG.State);
    else if (a.name === 'Extractable') set.extractable = scalar(a, 'Boolean').value as boolean;
    else if (a.name === 'Activation Date') set.activationDate = scalar(a, 'DateTime').value as bigint;
    else if (a.name === 'Operation Policy Name' || a.name === 'Sensitive') continue; // Arca's key policies decide; keys are always sensitive
    else if (tagged !== undefined || isCustomAttribute(a.name)) {
      if (a.name === 'Cryptographic Usage Mask') set.usageMask = scalar(a, 'Integer').value as number;
      set.tags.set(tagged ?? a.name, tagValue(a));
    } else throw new KmipError('InvalidField', `attribute '${a.name}' cannot be set by a client`);
  }
  return set;
}

/** One attribute of an answer: its 1.x name and its value (tagged with the attribute's tag). */
export interface AnswerAttribute {
  readonly name: string;
  readonly value: TtlvItem;
}

/** A Name attribute's value. */
export function nameAttribute(name: string): AnswerAttribute {
  return { name: 'Name', value: structure(TAG.Name, [text(TAG.NameValue, name), enumeration(TAG.NameType, NAME_TYPE.UninterpretedTextString)]) };
}

/** The attributes in the request version's form: 1.x `Attribute` structures, or 2.0's one `Attributes` structure. */
export function encodeAttributes(attrs: readonly AnswerAttribute[], v2: boolean): TtlvItem[] {
  if (v2) return [{ tag: TAG.Attributes, type: 'Structure', value: attrs.filter((a) => NAME_BY_TAG.has(a.value.tag)).map((a) => a.value) }];
  return attrs.map((a) => structure(TAG.Attribute, [text(TAG.AttributeName, a.name), { ...a.value, tag: TAG.AttributeValue }]));
}

/** The names a GetAttributes request asks for (1.x Attribute Name, 2.0 Attribute Reference to a tag); empty: all. */
export function requestedNames(payload: Fields): Set<string> {
  const names = new Set(payload.all(TAG.AttributeName).map((i) => (i.type === 'TextString' ? i.value : '')));
  for (const ref of payload.all(TAG.AttributeReference)) {
    const tag = ref.type === 'Enumeration' ? ref.value : ref.type === 'Structure' ? new Fields(ref as TtlvStructure).enumeration(TAG.AttributeName) : undefined;
    const name = tag === undefined ? undefined : NAME_BY_TAG.get(tag);
    if (name !== undefined) names.add(name);
  }
  names.delete('');
  return names;
}
