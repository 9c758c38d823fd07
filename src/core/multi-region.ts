import { randomPublicBytes } from '../crypto/random.js';

/**
 * Multi-Region keys (issue 20, ADR 0022). An MRK has one wire id (`mrk-` and 32 hex digits) in every
 * region, as in AWS; each regional key is stored under `<wire id>/<region>`, because every table is keyed
 * by key id. Single-Region keys are stored under their wire id (a UUID, unique across regions).
 */

/** A multi-Region key's id, as AWS writes it: `mrk-` and 32 hex digits. */
export const MRK_ID_RE = /^mrk-[0-9a-f]{32}$/;

/** Whether `wireId` names a multi-Region key. */
export function isMultiRegionId(wireId: string): boolean {
  return MRK_ID_RE.test(wireId);
}

/** The storage id of key `wireId` in `region`: itself for a single-Region key. */
export function storageKeyId(wireId: string, region: string): string {
  return isMultiRegionId(wireId) ? `${wireId}/${region}` : wireId;
}

/** The id a caller sees (in answers, ARNs and ciphertexts) of the key stored under `storageId`. */
export function wireKeyId(storageId: string): string {
  const slash = storageId.indexOf('/');
  return slash < 0 ? storageId : storageId.slice(0, slash);
}

/** A new multi-Region key id. */
export function newMultiRegionId(): string {
  return `mrk-${randomPublicBytes(16).toString('hex')}`;
}
