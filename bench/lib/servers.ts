import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ARCA_BIN, readCredentials, REPO_ROOT, removeDir, tempDataDir } from '../../test/helpers/server.js';
import { startChild, type Child } from './processes.js';
import { call, presign, type PresignedRequest, type Target } from './signing.js';
import { createKey } from './workloads.js';

// The servers the benchmarks start, and the requests they drive them with (`npm run bench`, `bench:compare`).

/** The 4 KiB plaintext (base64) of the Encrypt workloads. */
export const PAYLOAD = randomBytes(4096).toString('base64');
/** The message the Sign workloads sign (RAW), and the raw node:crypto baseline signs. */
export const SIGN_MESSAGE = randomBytes(256);
/** ML-DSA where node:crypto has it (Node ≥ 24.7): Arca answers UnsupportedOperationException elsewhere. */
export const mlDsa = (() => {
  try {
    (generateKeyPairSync as unknown as (t: string) => unknown)('ml-dsa-65');
    return true;
  } catch {
    return false;
  }
})();
export const SIGN_SPECS = [
  { keySpec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', operation: 'Sign P-256', raw: 'ec' },
  { keySpec: 'ECC_NIST_EDWARDS25519', algorithm: 'ED25519_SHA_512', operation: 'Sign Ed25519', raw: 'ed25519' },
  ...(mlDsa ? [{ keySpec: 'ML_DSA_65', algorithm: 'ML_DSA_SHAKE_256', operation: 'Sign ML-DSA-65', raw: 'ml-dsa-65' } as const] : []),
] as const;

/** `bin/arca dev` (or another build's `bin`) on a new data directory, with `workers` processes; `nodeArgs` go to node (`--cpu-prof`). */
export async function startArca(workers: number, bin = ARCA_BIN, nodeArgs: readonly string[] = []): Promise<{ child: Child; target: Target; dir: string }> {
  const dir = tempDataDir('arca-bench-');
  const child = await startChild(process.execPath, [...nodeArgs, bin, 'dev', '--data-dir', dir, '--listen', '127.0.0.1:0', '--quiet', ...(workers > 1 ? ['--workers', String(workers)] : [])], {
    pattern: /listening on (http:\/\/\S+)/,
    name: 'arca',
  });
  const c = readCredentials(dir);
  return { child, dir, target: { endpoint: child.endpoint, region: c.region, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } };
}


export const idealCreds: Target = { endpoint: '', region: 'us-east-1', accessKeyId: 'AKIAIDEALBASELINE000', secretAccessKey: randomBytes(30).toString('base64') };
/** The ideal KMS (baselines/ideal-kms.ts), or with `workers` > 1 that many processes of it (ideal-kms-workers.ts). */
export async function startIdeal(workers = 1, nodeArgs: readonly string[] = []): Promise<{ child: Child; target: Target; encrypt: PresignedRequest[]; stop(): Promise<void> }> {
  const db = join(tmpdir(), `arca-bench-ideal-${process.pid}-${Date.now()}.db`);
  const baselines = join(REPO_ROOT, 'dist', 'bench', 'baselines');
  const args = workers > 1 ? [join(baselines, 'ideal-kms-workers.js'), String(workers), '0'] : [join(baselines, 'ideal-kms.js'), '0'];
  const child = await startChild(process.execPath, [...nodeArgs, ...args], {
    env: { IDEAL_ACCESS_KEY_ID: idealCreds.accessKeyId, IDEAL_SECRET: idealCreds.secretAccessKey, IDEAL_DB: db },
    pattern: /listening on (http:\/\/\S+)/,
    name: 'ideal-kms',
  });
  const target = { ...idealCreds, endpoint: child.endpoint };
  return {
    child,
    target,
    encrypt: [await presign(target, 'TrentService.Encrypt', { KeyId: 'ideal', Plaintext: PAYLOAD })],
    async stop() {
      await child.stop();
      for (const file of readdirSync(tmpdir()).filter((f) => f.startsWith(basename(db)))) removeDir(join(tmpdir(), file));
    },
  };
}

/**
 * The workloads of the alternating runs, signed for one server: Encrypt and Decrypt of 4 KiB,
 * GenerateDataKey (AES_256) and Sign (RAW, 256 bytes) of each spec. Arca's keys are created here; the
 * ideal KMS has one key of each kind.
 */
export async function headlineRequests(t: Target, arca: boolean): Promise<Map<string, PresignedRequest[]>> {
  const keyId = arca ? await createKey(t) : 'ideal';
  const blob = (await call(t, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: PAYLOAD }))['CiphertextBlob'];
  const requests = new Map<string, PresignedRequest[]>([
    ['Encrypt', [await presign(t, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: PAYLOAD })]],
    ['Decrypt', [await presign(t, 'TrentService.Decrypt', { CiphertextBlob: blob })]],
    ['GenerateDataKey', [await presign(t, 'TrentService.GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })]],
  ]);
  for (const spec of SIGN_SPECS) {
    const signKey = arca ? await createKey(t, { KeySpec: spec.keySpec, KeyUsage: 'SIGN_VERIFY' }) : 'ideal';
    requests.set(spec.operation, [await presign(t, 'TrentService.Sign', { KeyId: signKey, Message: SIGN_MESSAGE.toString('base64'), MessageType: 'RAW', SigningAlgorithm: spec.algorithm })]);
  }
  return requests;
}
/** The workloads of the alternating runs, the payload column of each. */
export const HEADLINE = [['Encrypt', '4 KiB'], ['Decrypt', '4 KiB'], ['GenerateDataKey', 'AES_256'], ...SIGN_SPECS.map((s) => [s.operation, '256 B'] as const)] as const;

