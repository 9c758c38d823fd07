import { z } from 'zod';
import { wireKeyId } from '../../core/multi-region.js';
import { readAnyBlobHeader } from '../../crypto/ciphertext-blob.js';
import type { CallerFacts } from '../../core/custody.js';
import { invalidCiphertext, KmsError } from '../../core/errors.js';
import { keyMaterialId } from '../../core/key-material-id.js';
import type { OperationContext, ResolvedKey } from '../pipeline/operation.js';

/**
 * The shared input pieces and checks of Encrypt, Decrypt, ReEncrypt and GenerateDataKey* that need no key
 * material (the work itself is custody's KeyPrimitives).
 */

export const encryptionAlgorithm = z.enum(['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE']).optional();

/** Blob sizes AWS allows for CiphertextBlob parameters. */
export const MAX_CIPHERTEXT_BLOB = 6144;

/**
 * The key that opens a ciphertext: the one its header names (slot `fromBlob`) or the one the caller named
 * (slot `named`). Their `ref`s are complementary (the header is read only without a caller's key id), so
 * exactly one slot holds a key; neither would be a pipeline defect, answered as `Internal`.
 */
export function decryptionKey(fromBlob: ResolvedKey | undefined, named: ResolvedKey | undefined): ResolvedKey {
  const key = fromBlob ?? named;
  if (key === undefined) throw new KmsError('Internal', 'neither key slot of a decryption was resolved');
  return key;
}

/** The key id a ciphertext blob names; every malformed blob gets the one opaque answer. */
export function blobKeyId(blob: Buffer): string {
  const header = readAnyBlobHeader(blob);
  if (header === undefined) throw invalidCiphertext();
  return header.keyId;
}

/** AWS's data key sizes: exactly one of KeySpec and NumberOfBytes. */
export const dataKeyParams = {
  NumberOfBytes: z.number().int().min(1, 'Member must have value greater than or equal to 1').max(1024, 'Member must have value less than or equal to 1024').optional().describe('The length of the data key in bytes, 1 to 1024; give NumberOfBytes or KeySpec, not both.'),
  KeySpec: z.enum(['AES_256', 'AES_128']).optional().describe('The length of the data key: AES_128 or AES_256; give KeySpec or NumberOfBytes, not both.'),
};

export function dataKeyLength(input: { NumberOfBytes?: number | undefined; KeySpec?: 'AES_256' | 'AES_128' | undefined }): number {
  if (input.NumberOfBytes !== undefined && input.KeySpec !== undefined) {
    throw new KmsError('ValidationFailed', 'KeySpec and NumberOfBytes cannot both be specified.');
  }
  if (input.KeySpec !== undefined) return input.KeySpec === 'AES_256' ? 32 : 16;
  if (input.NumberOfBytes !== undefined) return input.NumberOfBytes;
  throw new KmsError('ValidationFailed', 'Please specify either number of bytes or key spec.');
}

/** The audit summary of an encryption context: keys and values are not secret (AWS logs them too). */
export function contextForAudit(context: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(context).length > 0 ? { ...context } : undefined;
}

/**
 * AWS's `DryRunModifiers` of Decrypt and ReEncrypt: with `IGNORE_CIPHERTEXT`, a DryRun checks the
 * caller's permissions and the key without a ciphertext, which may then be left out.
 */
export const dryRunModifiers = z
  .array(z.enum(['IGNORE_CIPHERTEXT']))
  .optional()
  .describe('With DryRun: IGNORE_CIPHERTEXT checks permissions and the key without a ciphertext (which may then be left out, and the key must be named).');

/** Whether a request is a DryRun that ignores its ciphertext (`DryRunModifiers: [IGNORE_CIPHERTEXT]`). */
export function ignoresCiphertext(i: { readonly DryRun?: boolean | undefined; readonly DryRunModifiers?: readonly string[] | undefined }): boolean {
  return i.DryRun === true && (i.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
}

/**
 * The rule an input with an optional `CiphertextBlob` keeps: the ciphertext is required (`Member must
 * not be null`, as when a member is missing) unless a DryRun ignores it, and such a DryRun names its key
 * in `keyMember` (a ciphertext that is not there cannot say which key it was made under).
 */
export function ciphertextRule<K extends string>(keyMember: K) {
  return (i: { readonly CiphertextBlob?: Buffer | undefined; readonly DryRun?: boolean | undefined; readonly DryRunModifiers?: readonly string[] | undefined } & { readonly [M in K]?: string | undefined }, ctx: z.RefinementCtx): void => {
    const ignored = ignoresCiphertext(i);
    if (i.CiphertextBlob === undefined && !ignored) ctx.addIssue({ code: 'invalid_type', expected: 'custom', input: undefined, path: ['CiphertextBlob'], message: 'Member must not be null' });
    if (ignored && i[keyMember] === undefined) ctx.addIssue({ code: 'invalid_type', expected: 'string', input: undefined, path: [keyMember], message: 'Member must not be null' });
  };
}

/** The ciphertext of a request that is not a DryRun ignoring it ({@link ciphertextRule} made sure it is there). */
export function ciphertextOf(i: { readonly CiphertextBlob?: Buffer | undefined }): Buffer {
  if (i.CiphertextBlob === undefined) throw new KmsError('Internal', 'a request without its ciphertext reached the decryption');
  return i.CiphertextBlob;
}

/**
 * The `KeyMaterialId` member AWS adds for a symmetric encryption key: the generation of the key's material
 * that sealed `blob` (an Arca ciphertext blob names its key version). Empty for other keys and blobs.
 */
export function keyMaterialOf(key: ResolvedKey, blob: Buffer): { KeyMaterialId?: string } {
  if (key.record.keySpec !== 'SYMMETRIC_DEFAULT') return {};
  const header = readAnyBlobHeader(blob);
  return header === undefined || header.keyId !== wireKeyId(key.record.id) ? {} : { KeyMaterialId: keyMaterialId(header.keyId, header.version) };
}

/** Who asks (the caller's ARN and the request id), for a key in an external key store's proxy. */
export function callerOf(ctx: Pick<OperationContext, 'principal' | 'requestId'>): CallerFacts {
  return { principalArn: ctx.principal.arn, requestId: ctx.requestId };
}
