import { call, presign, type PresignedRequest, type Target } from './signing.js';

/**
 * Workloads as unsigned calls, so that one set of keys and ciphertexts can be signed for several
 * endpoints of one database (the signed `host` header names the endpoint) and signed again when a run
 * outlasts a signature's five minutes.
 */
export interface Call {
  /** The `x-amz-target` (`TrentService.Encrypt`). */
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/** Signs every call for `t`'s endpoint, in order. */
export async function signAll(t: Target, calls: readonly Call[]): Promise<PresignedRequest[]> {
  const out: PresignedRequest[] = [];
  for (const c of calls) out.push(await presign(t, c.action, c.input));
  return out;
}

/** Creates a symmetric key (or the key `fields` describe) and returns its id. */
export async function createKey(t: Target, fields: Record<string, string> = {}): Promise<string> {
  const r = await call(t, 'TrentService.CreateKey', { Description: 'bench', ...fields });
  return String((r['KeyMetadata'] as { KeyId: string }).KeyId);
}

/**
 * The mixed workload of `npm run bench` (issue 8): `count` new keys, and 200 requests over them — 60 %
 * Decrypt (of a ciphertext made now), 30 % GenerateDataKey (AES_256), 10 % Encrypt of `plaintext`
 * (base64). Keys are created a few at a time: on PostgreSQL each creation is a durable commit.
 */
export async function mixedCalls(t: Target, count: number, plaintext: string): Promise<Call[]> {
  const keys: string[] = new Array<string>(count);
  let next = 0;
  const creator = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) keys[i] = await createKey(t);
  };
  await Promise.all(Array.from({ length: Math.min(8, count) }, creator));
  const calls: Call[] = [];
  for (let i = 0; i < 200; i++) {
    const keyId = keys[(i * 7919) % count] as string;
    const roll = i % 10;
    if (roll < 6) {
      const blob = (await call(t, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext }))['CiphertextBlob'];
      calls.push({ action: 'TrentService.Decrypt', input: { CiphertextBlob: blob } });
    } else if (roll < 9) calls.push({ action: 'TrentService.GenerateDataKey', input: { KeyId: keyId, KeySpec: 'AES_256' } });
    else calls.push({ action: 'TrentService.Encrypt', input: { KeyId: keyId, Plaintext: plaintext } });
  }
  return calls;
}
