import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { dirname, resolve } from 'node:path';
import { manifestSchema, parseManifest, type Manifest } from '../manifest/schema.js';
import type { DevSelfClient } from '../api/aws/self-client.js';
import type { TransportRequestHead } from '../api/transport.js';

/**
 * `arca dev --seed <file>` (issue 20): keys and principals a test suite expects, created at start and again
 * after each `POST /moto-api/reset`. The file is the one `arca apply` reads (src/manifest/schema.ts,
 * docs/policy-as-code.md); a seed uses its `keys:` and `principals:` (docs/testing-with-arca.md). Every
 * item is made through Arca's own operations, as the bootstrap administrator, so the seed is validated, authorized and audited like any request.
 */

/** The seed file is the `arca apply` file (src/manifest/schema.ts); a seed reads its keys and principals. */
export const seedDocumentSchema = manifestSchema;
export type SeedDocument = Manifest;

/** Reads and validates a seed file (YAML or JSON); throws an Error naming the file and the first problems. */
export function readSeedFile(path: string): SeedDocument {
  return parseManifest(parseYaml(readFileSync(path, 'utf8')), path, (rel) => readFileSync(resolve(dirname(path), rel), 'utf8'));
}

/** What a seeding did. */
export interface SeedSummary {
  readonly keysCreated: number;
  readonly keysPresent: number;
  readonly principalsCreated: number;
  /** Keys given `insecureMaterial`, for the loud warning. */
  readonly knownMaterial: number;
}

/**
 * Applies `doc`: each key not present yet (by id, else by its first alias) and each principal not present
 * yet (by name) is created; present ones are left as they are. Throws on the first refusal, naming the item.
 */
export async function applySeed(client: DevSelfClient, doc: SeedDocument, cause?: Pick<TransportRequestHead, 'sourceIp' | 'secureTransport'>): Promise<SeedSummary> {
  const call = async (what: string, target: string, input: Record<string, unknown>, missingIsOk = false, region?: string): Promise<Record<string, unknown> | undefined> => {
    const r = await client.call(target, input, cause, region);
    if (r.ok) return r.output;
    if (missingIsOk && (r.code === 'NotFoundException' || r.code === 'NoSuchEntity')) return undefined;
    throw new Error(`seed: ${what}: ${target.split('.')[1]} answered ${r.code}: ${r.message}`);
  };
  let keysCreated = 0;
  let keysPresent = 0;
  let knownMaterial = 0;
  for (const [i, k] of (doc.keys ?? []).entries()) {
    const aliases = [...(k.alias === undefined ? [] : [k.alias]), ...(k.aliases ?? [])];
    const what = `keys[${i}]${k.id ?? aliases[0] ?? ''}`;
    const keyCall: Call = (w, target, input, missingIsOk = false) => call(w, target, input, missingIsOk, k.region);
    const lookup = k.id ?? aliases[0];
    if (lookup !== undefined && (await keyCall(what, 'TrentService.DescribeKey', { KeyId: lookup }, true)) !== undefined) {
      keysPresent++;
      continue;
    }
    const created = await keyCall(what, 'TrentService.CreateKey', {
      KeySpec: k.keySpec, KeyUsage: k.keyUsage, Description: k.description, Policy: k.policy, ArcaDevKeyId: k.id,
      Origin: k.insecureMaterial === undefined ? undefined : 'EXTERNAL',
      Tags: k.tags === undefined ? undefined : Object.entries(k.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    });
    const keyId = String((created?.['KeyMetadata'] as { KeyId?: unknown } | undefined)?.KeyId);
    if (k.insecureMaterial !== undefined) {
      await importKnownMaterial(keyCall, what, keyId, Buffer.from(k.insecureMaterial, 'base64'));
      knownMaterial++;
    }
    for (const alias of aliases) await keyCall(what, 'TrentService.CreateAlias', { AliasName: alias, TargetKeyId: keyId });
    if (k.rotationPeriodInDays !== undefined) await keyCall(what, 'TrentService.EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: k.rotationPeriodInDays });
    if (k.enabled === false) await keyCall(what, 'TrentService.DisableKey', { KeyId: keyId });
    keysCreated++;
  }
  let principalsCreated = 0;
  for (const [i, p] of (doc.principals ?? []).entries()) {
    const what = `principals[${i}]${p.name}`;
    if ((await call(what, 'ArcaService.GetPrincipal', { PrincipalName: p.name }, true)) !== undefined) continue;
    await call(what, 'ArcaService.CreatePrincipal', {
      PrincipalName: p.name, PrincipalType: p.type,
      Tags: p.tags === undefined ? undefined : Object.entries(p.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    });
    for (const [name, document] of Object.entries(p.policies ?? {})) await call(what, 'ArcaService.PutPrincipalPolicy', { PrincipalName: p.name, PolicyName: name, PolicyDocument: document });
    principalsCreated++;
  }
  return { keysCreated, keysPresent, principalsCreated, knownMaterial };
}

type Call = (what: string, target: string, input: Record<string, unknown>, missingIsOk?: boolean) => Promise<Record<string, unknown> | undefined>;

/** Imports `material` into EXTERNAL key `keyId` as a client would (RSAES_OAEP_SHA_256 under a fresh import token); zeroes it after. */
async function importKnownMaterial(call: Call, what: string, keyId: string, material: Buffer): Promise<void> {
  try {
    const params = await call(what, 'TrentService.GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const publicKey = Buffer.from(String(params?.['PublicKey']), 'base64');
    const wrapped = publicEncrypt({ key: createPublicKey({ key: publicKey, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    await call(what, 'TrentService.ImportKeyMaterial', { KeyId: keyId, ImportToken: params?.['ImportToken'], EncryptedKeyMaterial: wrapped.toString('base64'), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  } finally {
    material.fill(0);
  }
}
