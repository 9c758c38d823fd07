/**
 * Encrypt, Decrypt, Sign, SignatureVerify, MAC and MAC Verify over KMIP: the AWS API's operations on the
 * key the Unique Identifier names (docs/kmip.md), so a ciphertext made over KMIP decrypts through the AWS
 * API and the reverse. A failed verification is a successful Validity Indicator of Invalid, as KMIP has it.
 */
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { KeySpec } from '../../core/key.js';
import { outBytes, outRecord, outText, uniqueId, PipelineRefusal, type KmipCall, type KmipHandler } from './context.js';
import { checkCipherParams, cryptoParams, macAlgorithm, signingAlgorithm } from './crypto-params.js';
import { Fields, bytes, enumeration, need, text } from './payload.js';
import { TAG } from './tags.js';
import { VALIDITY_INDICATOR } from './tags-crypto.js';

/** The Data of the request as a secret the pipeline zeroes (the frame it was read from is zeroed by the listener). */
function secretData(payload: Fields, call: KmipCall): SecretBytes {
  const data = need(payload.bytes(TAG.Data), TAG.Data);
  const secret = SecretBytes.copyOf(data);
  data.fill(0);
  call.keep(secret);
  return secret;
}

export const encrypt: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  checkCipherParams(cryptoParams(payload), payload);
  const out = await call.run('TrentService.Encrypt', { KeyId: keyId, Plaintext: secretData(payload, call) });
  return [text(TAG.UniqueIdentifier, keyId), bytes(TAG.Data, outBytes(out, 'CiphertextBlob'))];
};

export const decrypt: KmipHandler = async (payload, call) => {
  const keyId = uniqueId(payload, call);
  checkCipherParams(cryptoParams(payload), payload);
  const ciphertext = Buffer.from(need(payload.bytes(TAG.Data), TAG.Data));
  const out = await call.run('TrentService.Decrypt', { KeyId: keyId, CiphertextBlob: ciphertext });
  const plaintext = out['Plaintext'];
  if (!(plaintext instanceof SecretBytes)) throw new Error('Decrypt answered no plaintext');
  call.keep(plaintext);
  return [text(TAG.UniqueIdentifier, keyId), bytes(TAG.Data, plaintext.expose())];
};

/** The key's spec, for the algorithm: a DescribeKey (authorized and audited like any read). */
async function specOf(call: KmipCall, keyId: string): Promise<{ id: string; keySpec: KeySpec }> {
  const meta = outRecord(await call.run('TrentService.DescribeKey', { KeyId: keyId }), 'KeyMetadata');
  return { id: outText(meta, 'KeyId'), keySpec: outText(meta, 'KeySpec') as KeySpec };
}

/** Runs a verification; AWS's mismatch errors are a Validity Indicator of Invalid. */
async function validity(call: KmipCall, target: string, input: Record<string, unknown>, mismatch: 'SignatureMismatch' | 'MacMismatch'): Promise<number> {
  try {
    await call.run(target, input);
    return VALIDITY_INDICATOR.Valid;
  } catch (e) {
    if (e instanceof PipelineRefusal && e.error.code === mismatch) return VALIDITY_INDICATOR.Invalid;
    throw e;
  }
}

export const sign: KmipHandler = async (payload, call) => {
  const key = await specOf(call, uniqueId(payload, call));
  const algorithm = signingAlgorithm(key.keySpec, cryptoParams(payload));
  const out = await call.run('TrentService.Sign', { KeyId: key.id, Message: secretData(payload, call), MessageType: 'RAW', SigningAlgorithm: algorithm });
  return [text(TAG.UniqueIdentifier, key.id), bytes(TAG.SignatureData, outBytes(out, 'Signature'))];
};

export const signatureVerify: KmipHandler = async (payload, call) => {
  const key = await specOf(call, uniqueId(payload, call));
  const algorithm = signingAlgorithm(key.keySpec, cryptoParams(payload));
  const signature = Buffer.from(need(payload.bytes(TAG.SignatureData), TAG.SignatureData));
  const input = { KeyId: key.id, Message: secretData(payload, call), MessageType: 'RAW', SigningAlgorithm: algorithm, Signature: signature };
  const valid = await validity(call, 'TrentService.Verify', input, 'SignatureMismatch');
  return [text(TAG.UniqueIdentifier, key.id), enumeration(TAG.ValidityIndicator, valid)];
};

export const mac: KmipHandler = async (payload, call) => {
  const key = await specOf(call, uniqueId(payload, call));
  const out = await call.run('TrentService.GenerateMac', { KeyId: key.id, Message: secretData(payload, call), MacAlgorithm: macAlgorithm(key.keySpec, cryptoParams(payload)) });
  return [text(TAG.UniqueIdentifier, key.id), bytes(TAG.MacData, outBytes(out, 'Mac'))];
};

export const macVerify: KmipHandler = async (payload, call) => {
  const key = await specOf(call, uniqueId(payload, call));
  const tag = Buffer.from(need(payload.bytes(TAG.MacData), TAG.MacData));
  const input = { KeyId: key.id, Message: secretData(payload, call), MacAlgorithm: macAlgorithm(key.keySpec, cryptoParams(payload)), Mac: tag };
  const valid = await validity(call, 'TrentService.VerifyMac', input, 'MacMismatch');
  return [text(TAG.UniqueIdentifier, key.id), enumeration(TAG.ValidityIndicator, valid)];
};
