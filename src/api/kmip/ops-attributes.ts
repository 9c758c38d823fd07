/**
 * GetAttributes, GetAttributeList, AddAttribute, SetAttribute, ModifyAttribute and DeleteAttribute: a
 * key's attributes are read from `ArcaService.DescribeManagedKey`; Names are the key's aliases
 * (CreateAlias, DeleteAlias), Object Group, Contact Information, the usage mask and custom `x-` attributes
 * are its tags (TagResource, UntagResource); everything else is read-only (docs/kmip.md).
 */
import type { KeySpec, KeyUsage } from '../../core/key.js';
import { ATTRIBUTE_TAGS, TAGGED_ATTRIBUTES, aliasToName, nameToAlias, encodeAttributes, isCustomAttribute, nameAttribute, nameValue, payloadAttributes, readAttribute, requestedNames, tagValue, type AnswerAttribute, type ClientAttribute } from './attributes.js';
import { isV2, outRecord, uniqueId, type KmipCall, type KmipHandler } from './context.js';
import { KmipError } from './errors.js';
import { KMIP_KEY_TYPES, USAGE_MASKS } from './key-map.js';
import { Fields, boolean, dateTime, enumeration, integer, need, structure, text } from './payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, OBJECT_TYPE, REVOCATION_REASON_CODE, STATE, TAG } from './tags.js';
import type { TtlvItem } from './ttlv.js';

/** A key as DescribeManagedKey answers it. */
export interface ManagedKey {
  readonly id: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly created: number;
  readonly aliases: readonly string[];
  readonly tags: ReadonlyMap<string, string>;
  readonly exportable: boolean;
  readonly lifecycle: keyof typeof STATE;
  readonly revocationReason?: string;
  readonly dates: Readonly<Record<'activation' | 'deactivation' | 'compromise', number | undefined>>;
}

/** Epoch seconds of a date member (a Date, or seconds on the wire). */
function seconds(v: unknown): number | undefined {
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === 'number') return Math.floor(v);
  if (typeof v === 'string' && v !== '') return Math.floor(Date.parse(v) / 1000);
  return undefined;
}

/** Reads a key through `ArcaService.DescribeManagedKey` (authorized as DescribeKey, audited). */
export async function describeKey(call: KmipCall, keyId: string): Promise<ManagedKey> {
  const out = await call.run('ArcaService.DescribeManagedKey', { KeyId: keyId });
  const meta = outRecord(out, 'KeyMetadata');
  const tags = Array.isArray(out['Tags']) ? (out['Tags'] as { TagKey: string; TagValue: string }[]) : [];
  return {
    id: String(meta['KeyId']),
    keySpec: meta['KeySpec'] as KeySpec,
    keyUsage: meta['KeyUsage'] as KeyUsage,
    created: seconds(meta['CreationDate']) ?? 0,
    aliases: Array.isArray(out['Aliases']) ? (out['Aliases'] as string[]) : [],
    tags: new Map(tags.map((t) => [t.TagKey, t.TagValue])),
    exportable: out['Exportable'] === true,
    lifecycle: out['Lifecycle'] as keyof typeof STATE,
    ...(typeof out['RevocationReason'] === 'string' && { revocationReason: out['RevocationReason'] }),
    dates: { activation: seconds(out['ActivationDate']), deactivation: seconds(out['DeactivationDate']), compromise: seconds(out['CompromiseDate']) },
  };
}

/** Every attribute of a key, in 1.x spelling. */
export function keyAttributes(key: ManagedKey): AnswerAttribute[] {
  const type = KMIP_KEY_TYPES[key.keySpec];
  const attr = (name: string, value: TtlvItem): AnswerAttribute => ({ name, value });
  const stored = key.tags.get(TAGGED_ATTRIBUTES['Cryptographic Usage Mask'] ?? '');
  const mask = stored !== undefined && /^\d{1,10}$/.test(stored) && Number(stored) <= 0x7fffffff ? Number(stored) : USAGE_MASKS[key.keyUsage];
  const out: AnswerAttribute[] = [
    attr('Unique Identifier', text(TAG.UniqueIdentifier, key.id)),
    attr('Object Type', enumeration(TAG.ObjectType, OBJECT_TYPE[type.objectType])),
    ...(type.algorithm !== undefined ? [attr('Cryptographic Algorithm', enumeration(TAG.CryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM[type.algorithm]))] : []),
    ...(type.length !== undefined ? [attr('Cryptographic Length', integer(TAG.CryptographicLength, type.length))] : []),
    attr('Cryptographic Usage Mask', integer(TAG.CryptographicUsageMask, mask)),
    ...key.aliases.map((a) => nameAttribute(aliasToName(a))),
    attr('State', enumeration(TAG.State, STATE[key.lifecycle])),
    attr('Initial Date', dateTime(TAG.InitialDate, key.created)),
    attr('Extractable', boolean(TAG.Extractable, key.exportable)),
    attr('Sensitive', boolean(TAG.Sensitive, true)),
  ];
  const dates = [['Activation Date', TAG.ActivationDate, key.dates.activation], ['Deactivation Date', TAG.DeactivationDate, key.dates.deactivation], ['Compromise Date', TAG.CompromiseDate, key.dates.compromise]] as const;
  for (const [name, tag, when] of dates) if (when !== undefined) out.push(attr(name, dateTime(tag, when)));
  const reason = key.revocationReason === undefined ? undefined : Object.entries(REVOCATION_REASON_CODE).find(([k]) => k.toLowerCase() === key.revocationReason?.toLowerCase())?.[1];
  if (reason !== undefined) out.push(attr('Revocation Reason', structure(TAG.RevocationReason, [enumeration(TAG.RevocationReasonCode, reason)])));
  for (const [name, tag] of Object.entries(TAGGED_ATTRIBUTES)) {
    const value = key.tags.get(tag);
    if (value !== undefined && name !== 'Cryptographic Usage Mask') out.push(attr(name, text(ATTRIBUTE_TAGS[name] ?? TAG.AttributeValue, value)));
  }
  for (const [k, v] of key.tags) if (isCustomAttribute(k)) out.push(attr(k, text(TAG.AttributeValue, v)));
  return out;
}

/**
 * KMIP 2.0's attributes: a 1.x client is never sent them, and a 2.0 client only when it names them
 * (PyKMIP 0.10 cannot decode them, and fails the whole answer when they come unasked).
 */
const V2_ATTRIBUTES: ReadonlySet<string> = new Set(['Extractable', 'Sensitive']);

/** The key's attributes that the request's protocol version defines (and, for 2.0's own, that it asked for). */
function attributesFor(key: ManagedKey, call: KmipCall, wanted: ReadonlySet<string>): AnswerAttribute[] {
  return keyAttributes(key).filter((a) => !V2_ATTRIBUTES.has(a.name) || (call.version.major >= 2 && wanted.has(a.name)));
}

export const getAttributes: KmipHandler = async (payload, call) => {
  const key = await describeKey(call, uniqueId(payload, call));
  const wanted = requestedNames(payload);
  const attrs = attributesFor(key, call, wanted).filter((a) => wanted.size === 0 || wanted.has(a.name));
  return [text(TAG.UniqueIdentifier, key.id), ...encodeAttributes(attrs, isV2(call))];
};

export const getAttributeList: KmipHandler = async (payload, call) => {
  const key = await describeKey(call, uniqueId(payload, call));
  const names = [...new Set(keyAttributes(key).filter((a) => !V2_ATTRIBUTES.has(a.name) || call.version.major >= 2).map((a) => a.name))];
  if (!isV2(call)) return [text(TAG.UniqueIdentifier, key.id), ...names.map((n) => text(TAG.AttributeName, n))];
  const tags = names.map((n) => ATTRIBUTE_TAGS[n]).filter((t): t is number => t !== undefined);
  return [text(TAG.UniqueIdentifier, key.id), ...tags.map((t) => enumeration(TAG.AttributeReference, t))];
};

/** The attribute of an Add/Set/Modify request: 1.x `Attribute`, 2.0 `New Attribute` (or `Attributes`) holding one tagged value. */
function requestAttribute(payload: Fields): ClientAttribute {
  const loose = payload.raw(TAG.Attribute);
  if (loose !== undefined) return readAttribute(loose);
  const holder = payload.structure(TAG.NewAttribute) ?? payload.structure(TAG.CurrentAttribute);
  const attrs = payloadAttributes(new Fields({ tag: TAG.RequestPayload, type: 'Structure', value: holder === undefined ? [] : [{ tag: TAG.Attributes, type: 'Structure', value: holder.items }] }));
  const one = attrs[0];
  if (one === undefined || attrs.length > 1) throw new KmipError('InvalidField', 'the request must carry exactly one attribute');
  return one;
}

/** Writes one client-settable attribute: a Name as an alias, the rest as tags; Set and Modify replace a value, Add refuses to. */
async function writeAttribute(call: KmipCall, keyId: string, a: ClientAttribute, mode: 'add' | 'set' | 'modify'): Promise<void> {
  if (a.name === 'Name') {
    const name = nameValue(a);
    const existing = mode === 'add' ? [] : (await describeKey(call, keyId)).aliases;
    // The new alias first: if it cannot be made (taken by another key), the key keeps its names.
    if (!existing.some((old) => aliasToName(old) === name)) await call.run('TrentService.CreateAlias', { AliasName: nameToAlias(name), TargetKeyId: keyId });
    // SetAttribute replaces every Name; ModifyAttribute the first one (index 0).
    for (const old of mode === 'set' ? existing : existing.slice(0, 1)) if (aliasToName(old) !== name) await call.run('TrentService.DeleteAlias', { AliasName: old });
    return;
  }
  const tag = TAGGED_ATTRIBUTES[a.name] ?? (isCustomAttribute(a.name) ? a.name : undefined);
  if (tag === undefined || a.name === 'Cryptographic Usage Mask') throw new KmipError('PermissionDenied', `attribute '${a.name}' is read-only in Arca`);
  if (mode !== 'set') {
    const exists = (await describeKey(call, keyId)).tags.has(tag);
    if (mode === 'add' && exists) throw new KmipError('IllegalOperation', `the key already has '${a.name}': Arca keeps one instance of it (use ModifyAttribute)`);
    if (mode === 'modify' && !exists) throw new KmipError('ItemNotFound', `the key has no '${a.name}' to modify`);
  }
  await call.run('TrentService.TagResource', { KeyId: keyId, Tags: [{ TagKey: tag, TagValue: tagValue(a) }] });
}

const writer =
  (mode: 'add' | 'set' | 'modify'): KmipHandler =>
  async (payload, call) => {
    const keyId = uniqueId(payload, call);
    const a = requestAttribute(payload);
    await writeAttribute(call, keyId, a, mode);
    if (mode === 'set' || isV2(call)) return [text(TAG.UniqueIdentifier, keyId)];
    return [text(TAG.UniqueIdentifier, keyId), ...encodeAttributes([{ name: a.name, value: a.value }], false)];
  };

export const addAttribute = writer('add');
export const setAttribute = writer('set');
export const modifyAttribute = writer('modify');

export const deleteAttribute: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  const ref = payload.structure(TAG.CurrentAttribute);
  const name = payload.text(TAG.AttributeName) ?? (ref === undefined ? undefined : requestAttribute(payload).name);
  const attrName = need(name, TAG.AttributeName);
  const key = await describeKey(call, keyId);
  const before = keyAttributes(key).find((a) => a.name === attrName);
  if (attrName === 'Name') {
    const index = payload.integer(TAG.AttributeIndex) ?? 0;
    const alias = key.aliases[index];
    if (alias === undefined) throw new KmipError('ItemNotFound', `the key has no Name at index ${index}`);
    await call.run('TrentService.DeleteAlias', { AliasName: alias });
  } else {
    const tag = TAGGED_ATTRIBUTES[attrName] ?? (isCustomAttribute(attrName) ? attrName : undefined);
    if (tag === undefined || attrName === 'Cryptographic Usage Mask') throw new KmipError('PermissionDenied', `attribute '${attrName}' cannot be deleted in Arca`);
    if (!key.tags.has(tag)) throw new KmipError('ItemNotFound', `the key has no '${attrName}'`);
    await call.run('TrentService.UntagResource', { KeyId: keyId, TagKeys: [tag] });
  }
  if (isV2(call) || before === undefined) return [text(TAG.UniqueIdentifier, keyId)];
  return [text(TAG.UniqueIdentifier, keyId), ...encodeAttributes([before], false)];
};
