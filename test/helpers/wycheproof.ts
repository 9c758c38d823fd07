import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The one loader for Project Wycheproof vectors (test/vectors/wycheproof, see its README). Files are parsed
 * with zod at this edge, so a test sees typed cases with hex fields already decoded to Buffers, and a
 * vector file whose shape changed fails loudly instead of being skipped.
 */

/** This file runs as dist/test/helpers/wycheproof.js: the checkout's root is three levels up (as in server.ts). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const VECTOR_DIR = join(REPO_ROOT, 'test', 'vectors', 'wycheproof');

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** The fields every Wycheproof test case has, whatever the primitive. */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: WycheproofResult;
}

export interface WycheproofGroup<T extends WycheproofTest> {
  type: string;
  tests: T[];
}

export interface WycheproofFile<G extends WycheproofGroup<WycheproofTest>> {
  algorithm: string;
  numberOfTests: number;
  testGroups: G[];
}

const hex = z
  .string()
  .regex(/^(?:[0-9a-f]{2})*$/, 'expected lower-case hex')
  .transform((h) => Buffer.from(h, 'hex'));

const bits = z.number().int().nonnegative();

const testBase = {
  tcId: z.number().int().positive(),
  comment: z.string(),
  flags: z.array(z.string()),
  result: z.enum(['valid', 'invalid', 'acceptable']),
};

function fileOf<G extends z.ZodType<WycheproofGroup<WycheproofTest>>>(group: G) {
  return z.object({ algorithm: z.string(), numberOfTests: z.number().int().positive(), testGroups: z.array(group).min(1) });
}

/** `aes_gcm_test.json` and the other AEAD files (schema aead_test_schema_v1). */
export const aeadTestFile = fileOf(
  z.object({
    type: z.literal('AeadTest'),
    keySize: bits,
    ivSize: bits,
    tagSize: bits,
    tests: z.array(z.object({ ...testBase, key: hex, iv: hex, aad: hex, msg: hex, ct: hex, tag: hex })),
  }),
);

/** `hkdf_*_test.json` (schema hkdf_test_schema_v1). */
export const hkdfTestFile = fileOf(
  z.object({
    type: z.literal('HkdfTest'),
    keySize: bits,
    tests: z.array(z.object({ ...testBase, ikm: hex, salt: hex, info: hex, size: z.number().int().nonnegative(), okm: hex })),
  }),
);

/** `hmac_*_test.json` (schema mac_test_schema_v1). `tagSize` may be shorter than the hash: truncated MACs. */
export const macTestFile = fileOf(
  z.object({
    type: z.literal('MacTest'),
    keySize: bits,
    tagSize: bits,
    tests: z.array(z.object({ ...testBase, key: hex, msg: hex, tag: hex })),
  }),
);

/** Signature verification files: ECDSA (DER), EdDSA, RSASSA-PSS and RSASSA-PKCS1-v1_5 (schemas *_verify_schema_v1). */
export const signatureVerifyTestFile = fileOf(
  z.object({
    type: z.enum(['EcdsaVerify', 'EddsaVerify', 'RsassaPssVerify', 'RsassaPkcs1Verify']),
    publicKeyDer: hex,
    sha: z.enum(['SHA-256', 'SHA-384', 'SHA-512']).optional(),
    sLen: z.number().int().nonnegative().optional(),
    tests: z.array(z.object({ ...testBase, msg: hex, sig: hex })),
  }),
);

/** `rsa_oaep_*_test.json` (schema rsaes_oaep_decrypt_schema_v1). */
export const oaepDecryptTestFile = fileOf(
  z.object({
    type: z.literal('RsaesOaepDecrypt'),
    keySize: bits,
    sha: z.enum(['SHA-1', 'SHA-256']),
    mgfSha: z.enum(['SHA-1', 'SHA-256']),
    privateKeyPkcs8: hex,
    tests: z.array(z.object({ ...testBase, msg: hex, ct: hex, label: hex })),
  }),
);

/** `ecdh_*_test.json` with ASN.1 public keys (schema ecdh_test_schema_v1): `private` is the raw scalar. */
export const ecdhTestFile = fileOf(
  z.object({
    type: z.literal('EcdhTest'),
    curve: z.string(),
    encoding: z.literal('asn'),
    tests: z.array(z.object({ ...testBase, public: hex, private: hex, shared: hex })),
  }),
);

/** `aes_kwp_test.json` (schema keywrap_test_schema_v1): AES Key Wrap with Padding, RFC 5649. */
export const keyWrapTestFile = fileOf(
  z.object({
    type: z.literal('KeywrapTest'),
    keySize: bits,
    tests: z.array(z.object({ ...testBase, key: hex, msg: hex, ct: hex })),
  }),
);

export type AeadTestFile = z.output<typeof aeadTestFile>;
export type HkdfTestFile = z.output<typeof hkdfTestFile>;
export type MacTestFile = z.output<typeof macTestFile>;
export type SignatureVerifyTestFile = z.output<typeof signatureVerifyTestFile>;

/**
 * Reads `test/vectors/wycheproof/<name>` and parses it with `schema`. Throws if the file does not match the
 * schema or if the number of test cases differs from the file's own `numberOfTests`.
 */
export function loadWycheproof<S extends z.ZodType<WycheproofFile<WycheproofGroup<WycheproofTest>>>>(name: string, schema: S): z.output<S> {
  const parsed = schema.parse(JSON.parse(readFileSync(join(VECTOR_DIR, name), 'utf8')));
  const count = parsed.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (count !== parsed.numberOfTests) throw new Error(`${name}: ${count} test cases, but numberOfTests says ${parsed.numberOfTests}`);
  return parsed;
}

/** Every case of a file with the group it belongs to, in file order. */
export function* casesOf<G extends WycheproofGroup<WycheproofTest>>(file: WycheproofFile<G>): Generator<{ group: G; test: G['tests'][number] }> {
  for (const group of file.testGroups) for (const test of group.tests) yield { group, test };
}

/**
 * How a file's cases came out. `failures` names every case whose outcome was wrong (`tcId` and comment), so
 * a failing assertion says which vectors broke.
 */
export interface Tally {
  validPassed: number;
  invalidRejected: number;
  acceptableSeen: number;
  refused: number;
  failures: string[];
}

export function newTally(): Tally {
  return { validPassed: 0, invalidRejected: 0, acceptableSeen: 0, refused: 0, failures: [] };
}

export function describeCase(test: WycheproofTest, why: string): string {
  return `tcId ${test.tcId} (${test.result}, ${test.comment || 'no comment'}): ${why}`;
}
