/**
 * The key lifecycle over KMIP (docs/kmip.md, ADR 0027): Create, Register, Get, Locate, Activate, Revoke,
 * Destroy and ReKey, each one of Arca's operations run through the pipeline as the client's principal.
 */
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { attributeSet, nameToAlias, payloadAttributes } from './attributes.js';
import { outRecord, outText, uniqueId, PipelineRefusal, type KmipCall, type KmipHandler } from './context.js';
import { KmipError } from './errors.js';
import { KMIP_KEY_TYPES, specFor } from './key-map.js';
import { describeKey } from './ops-attributes.js';
import { Fields, bytes, enumName, enumeration, integer, need, structure, text } from './payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, KEY_FORMAT_TYPE, OBJECT_TYPE, REVOCATION_REASON_CODE, TAG } from './tags.js';
import type { KeySpec } from '../../core/key.js';

/** Only symmetric keys are made over KMIP (key-map.ts). */
function requireSymmetric(payload: Fields): void {
  const type = need(payload.enumeration(TAG.ObjectType), TAG.ObjectType);
  if (type !== OBJECT_TYPE.SymmetricKey) throw new KmipError('InvalidField', `Object Type ${enumName(OBJECT_TYPE, type, TAG.ObjectType)} cannot be created in Arca over KMIP: only Symmetric Key`);
}

/** CreateManagedKey's input for the request's attributes (and, for Register, the key block's algorithm and length). */
function managedKeyInput(payload: Fields, call: KmipCall, block?: { algorithm?: keyof typeof CRYPTOGRAPHIC_ALGORITHM; length?: number }): Record<string, unknown> {
  const set = attributeSet(payloadAttributes(payload));
  const { keySpec, keyUsage } = specFor(set.algorithm ?? block?.algorithm, set.length ?? block?.length, set.usageMask);
  // An Activation Date in the past (or now) makes the key Active at once; a future one is not scheduled.
  const activate = set.activationDate !== undefined && set.activationDate * 1000n <= BigInt(call.now().getTime());
  return {
    KeySpec: keySpec,
    KeyUsage: keyUsage,
    Exportable: set.extractable ?? call.options.exportableByDefault,
    Activate: activate,
    ...(set.names.length > 0 && { Aliases: set.names.map(nameToAlias) }),
    ...(set.tags.size > 0 && { Tags: [...set.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) }),
    Description: 'Created over KMIP',
  };
}

/** The new key's Unique Identifier (also the ID Placeholder for the next batch items). */
function createdId(call: KmipCall, output: Record<string, unknown>): string {
  const id = outText(outRecord(output, 'KeyMetadata'), 'KeyId');
  call.placeholder = id;
  return id;
}

export const create: KmipHandler = async (payload, call) => {
  requireSymmetric(payload);
  const id = createdId(call, await call.run('ArcaService.CreateManagedKey', managedKeyInput(payload, call)));
  return [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), text(TAG.UniqueIdentifier, id)];
};

export const register: KmipHandler = async (payload, call) => {
  requireSymmetric(payload);
  const key = need(payload.structure(TAG.SymmetricKey), TAG.SymmetricKey);
  const block = need(key.structure(TAG.KeyBlock), TAG.KeyBlock);
  const format = need(block.enumeration(TAG.KeyFormatType), TAG.KeyFormatType);
  if (format !== KEY_FORMAT_TYPE.Raw) throw new KmipError('KeyFormatTypeNotSupported', 'Register takes a symmetric key in the Raw key format');
  if (block.structure(TAG.KeyWrappingData) !== undefined) throw new KmipError('FeatureNotSupported', 'wrapped key blocks are not supported: register the key over the mutually authenticated TLS connection unwrapped');
  const value = need(block.structure(TAG.KeyValue), TAG.KeyValue);
  const material = need(value.bytes(TAG.KeyMaterial), TAG.KeyMaterial);
  const alg = block.enumeration(TAG.CryptographicAlgorithm);
  const input = managedKeyInput(payload, call, { algorithm: alg === undefined ? undefined : enumName(CRYPTOGRAPHIC_ALGORITHM, alg, TAG.CryptographicAlgorithm), length: block.integer(TAG.CryptographicLength) });
  const secret = SecretBytes.copyOf(material);
  material.fill(0);
  call.keep(secret);
  // Register answers the Unique Identifier alone (1.4 §4.3), unlike Create.
  return [text(TAG.UniqueIdentifier, createdId(call, await call.run('ArcaService.CreateManagedKey', { ...input, Material: secret })))];
};

export const get: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  const format = payload.enumeration(TAG.KeyFormatType);
  if (format !== undefined && format !== KEY_FORMAT_TYPE.Raw) throw new KmipError('KeyFormatTypeNotSupported', 'Arca returns symmetric keys in the Raw key format');
  if (payload.raw(TAG.KeyWrappingSpecification) !== undefined) throw new KmipError('FeatureNotSupported', 'Key Wrapping Specification is not supported: the key travels over the mutually authenticated TLS connection');
  let out;
  try {
    out = await call.run('ArcaService.ExportKeyMaterial', { KeyId: keyId });
  } catch (e) {
    // A key that was not made exportable: KMIP's own reason for it (1.4 "Not Extractable").
    if (e instanceof PipelineRefusal && e.error.code === 'UnsupportedOperation') throw new KmipError('NotExtractable', `${e.error.code}: ${e.error.message}`);
    throw e;
  }
  const material = out['Material'];
  if (!(material instanceof SecretBytes)) throw new Error('ExportKeyMaterial answered no material');
  call.keep(material);
  const type = KMIP_KEY_TYPES[outText(out, 'KeySpec') as KeySpec];
  const id = outText(out, 'KeyId').replace(/^arn:.*:key\//, '');
  return [
    enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey),
    text(TAG.UniqueIdentifier, id),
    structure(TAG.SymmetricKey, [
      structure(TAG.KeyBlock, [
        enumeration(TAG.KeyFormatType, KEY_FORMAT_TYPE.Raw),
        structure(TAG.KeyValue, [bytes(TAG.KeyMaterial, material.expose())]),
        ...(type.algorithm !== undefined ? [enumeration(TAG.CryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM[type.algorithm])] : []),
        ...(type.length !== undefined ? [integer(TAG.CryptographicLength, type.length)] : []),
      ]),
    ]),
  ];
};

export const activate: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  await call.run('ArcaService.ActivateKey', { KeyId: keyId });
  return [text(TAG.UniqueIdentifier, keyId)];
};

/** KMIP's revocation reason codes as RevokeKey names them. */
const REVOCATION_REASONS: Record<keyof typeof REVOCATION_REASON_CODE, string> = {
  Unspecified: 'Unspecified',
  KeyCompromise: 'KeyCompromise',
  CaCompromise: 'CACompromise',
  AffiliationChanged: 'AffiliationChanged',
  Superseded: 'Superseded',
  CessationOfOperation: 'CessationOfOperation',
  PrivilegeWithdrawn: 'PrivilegeWithdrawn',
};

export const revoke: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  const reason = need(payload.structure(TAG.RevocationReason), TAG.RevocationReason);
  const code = enumName(REVOCATION_REASON_CODE, need(reason.enumeration(TAG.RevocationReasonCode), TAG.RevocationReasonCode), TAG.RevocationReasonCode);
  const message = reason.text(TAG.RevocationMessage);
  const occurred = payload.date(TAG.CompromiseOccurrenceDate);
  await call.run('ArcaService.RevokeKey', {
    KeyId: keyId,
    RevocationReason: REVOCATION_REASONS[code],
    ...(message !== undefined && { RevocationMessage: message }),
    ...(occurred !== undefined && { CompromiseOccurrenceDate: Number(occurred) }),
  });
  return [text(TAG.UniqueIdentifier, keyId)];
};

export const destroy: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  const key = await describeKey(call, keyId);
  if (key.lifecycle === 'Active') throw new KmipError('PermissionDenied', `key ${keyId} is Active: revoke it before destroying it`);
  if (key.lifecycle === 'Destroyed' || key.lifecycle === 'DestroyedCompromised') throw new KmipError('PermissionDenied', `key ${keyId} is already destroyed`);
  // The material is destroyed when the waiting period ends (Arca's deletion window), and the key answers Destroyed meanwhile.
  await call.run('TrentService.ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: call.options.destroyPendingDays });
  return [text(TAG.UniqueIdentifier, keyId)];
};

export const reKey: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  // Arca rotates in place: the key keeps its Unique Identifier, new ciphertexts use the new material, old ones still decrypt.
  await call.run('TrentService.RotateKeyOnDemand', { KeyId: keyId });
  call.placeholder = keyId;
  return [text(TAG.UniqueIdentifier, keyId)];
};

export const locate: KmipHandler = async (payload, call) => {
  const set = attributeSet(payloadAttributes(payload));
  if (set.objectType !== undefined && set.objectType !== 'SymmetricKey') return call.version.major > 1 || call.version.minor >= 3 ? [integer(TAG.LocatedItems, 0)] : [];
  const spec = set.algorithm === undefined ? undefined : specFor(set.algorithm, set.length, undefined);
  const max = payload.integer(TAG.MaximumItems);
  const offset = payload.integer(TAG.OffsetItems);
  const out = await call.run('ArcaService.LocateKeys', {
    ...(set.names.length > 0 && { Aliases: set.names.map(nameToAlias) }),
    ...(spec !== undefined && { KeySpec: spec.keySpec }),
    ...(set.state !== undefined && { Lifecycle: set.state }),
    ...(set.extractable !== undefined && { Exportable: set.extractable }),
    ...(set.tags.size > 0 && { Tags: [...set.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) }),
    ...(max !== undefined && { Limit: Math.max(1, Math.min(max, 1000)) }),
    ...(offset !== undefined && { Offset: offset }),
  });
  const ids = Array.isArray(out['KeyIds']) ? (out['KeyIds'] as string[]) : [];
  const counted = call.version.major > 1 || call.version.minor >= 3 ? [integer(TAG.LocatedItems, ids.length)] : [];
  return [...counted, ...ids.map((id) => text(TAG.UniqueIdentifier, id))];
};
