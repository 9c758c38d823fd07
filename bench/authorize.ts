/**
 * Per-request authorization cost with a 10-statement key policy, against baselines measured in the same run.
 *
 *   npm run build && node dist/bench/authorize.js [--iterations 200000]
 *
 * Prints µs/op for
 * - evaluate() alone (the pure function) with an empty key policy (baseline) and with the 10-statement policy;
 * - PolicyAuthorizer.authorize() (what the pipeline calls per key: reads identity policies, principal
 *   tags, key tags, aliases and grants from SQLite, builds the request context, evaluates) with the
 *   default key policy (baseline) and with the 10-statement policy;
 * and the ratio of each to its baseline. No thresholds: numbers depend on the machine.
 */
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultKeyPolicy } from '../src/core/authorization.js';
import type { KeyRecord } from '../src/core/key.js';
import { contextFrom } from '../src/core/policy/conditions.js';
import { parsePolicy } from '../src/core/policy/document.js';
import { evaluate, type EvaluationRequest } from '../src/core/policy/evaluate.js';
import type { Principal } from '../src/core/principal.js';
import { PolicyAuthorizer } from '../src/service/access/policy-authorizer.js';
import { openDatabase } from '../src/store/sqlite/database.js';
import { SqliteGrantStore } from '../src/store/sqlite/sqlite-grant-store.js';
import { SqlitePrincipalStore } from '../src/store/sqlite/sqlite-principal-store.js';
import { SqliteKeyStore } from '../src/store/sqlite/sqlite-key-store.js';
import { SqliteKeyFacts } from '../src/store/sqlite/sqlite-key-facts.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200000' } } });
const iterations = Number(values.iterations);

const ACCOUNT = '111122223333';
const realm = { partition: 'aws' as const, region: 'us-east-1', account: ACCOUNT };
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const user = (n: string) => `arn:aws:iam::${ACCOUNT}:user/${n}`;

/** Ten statements of the kinds docs/access-control.md recommends; the caller matches the last Allow. */
const TEN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'admins', Effect: 'Allow', Principal: { AWS: [user('admin1'), user('admin2')] }, Action: ['kms:Describe*', 'kms:Put*', 'kms:Enable*', 'kms:Disable*', 'kms:Get*', 'kms:List*'], Resource: '*' },
    { Sid: 'deny-admin-use', Effect: 'Deny', Principal: { AWS: [user('admin1'), user('admin2')] }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' },
    { Sid: 'auditor', Effect: 'Allow', Principal: { AWS: user('auditor') }, Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' },
    { Sid: 'tls-only', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringNotEquals: { 'aws:PrincipalTag/dev': 'true' } } },
    { Sid: 'ctx-keys', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': ['patient', 'ward'] } } },
    { Sid: 'grants', Effect: 'Allow', Principal: { AWS: user('svc') }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } },
    { Sid: 'region', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEquals: { 'arca:Region': ['us-east-1', 'eu-west-3'] } } },
    { Sid: 'tagged', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'x', 'aws:PrincipalTag/team': 'x' } } },
    {
      Sid: 'hospital',
      Effect: 'Allow',
      Principal: { AWS: user('clinician') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': ['10.20.0.0/16', '2001:db8::/32', '127.0.0.0/8'] }, NumericGreaterThanEquals: { 'arca:LocalHour': 0 }, NumericLessThan: { 'arca:LocalHour': 24 } },
    },
  ],
});

const now = new Date();
const context = contextFrom({ 'aws:SourceIp': '127.0.0.1', 'aws:SecureTransport': 'true', 'arca:Region': 'us-east-1', 'arca:LocalHour': '10', 'kms:EncryptionContextKeys': ['patient'], 'kms:EncryptionContext:patient': '42' });
const req: EvaluationRequest = { principalArn: user('clinician'), principalId: 'p1', principalAccount: ACCOUNT, action: 'kms:Decrypt', resource: KEY, context, now };
const empty = { keyPolicy: { version: '2012-10-17' as const, id: undefined, statements: [] }, keyPolicyPrincipals: {}, identityPolicies: [], grants: [] };
const ten = { keyPolicy: parsePolicy(TEN, 'key'), keyPolicyPrincipals: { [user('clinician')]: 'p1' }, identityPolicies: [], grants: [] };
if (evaluate(req, ten) !== 'Allow') throw new Error('the 10-statement policy should allow the benchmark request');

function time(label: string, n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / n;
  process.stdout.write(`${label.padEnd(58)} ${us.toFixed(3).padStart(9)} µs/op\n`);
  return us;
}

async function timeAsync(label: string, n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(n, 2_000); i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / n;
  process.stdout.write(`${label.padEnd(58)} ${us.toFixed(3).padStart(9)} µs/op\n`);
  return us;
}

process.stdout.write(`authorization benchmark, ${iterations} iterations (Node ${process.version})\n`);
const e0 = time('evaluate(): empty key policy (baseline)', iterations, () => evaluate(req, empty));
const rootReq = { ...req, principalArn: user('someone') };
const def = { keyPolicy: parsePolicy(defaultKeyPolicy(ACCOUNT), 'key'), keyPolicyPrincipals: {}, identityPolicies: [parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }), 'identity')], grants: [] };
const e1 = time('evaluate(): default key policy + 1 identity policy', iterations, () => evaluate(rootReq, def));
const e10 = time('evaluate(): 10-statement key policy', iterations, () => evaluate(req, ten));

const dir = mkdtempSync(join(tmpdir(), 'arca-bench-'));
try {
  const db = openDatabase(join(dir, 'arca.db'));
  const keys = new SqliteKeyStore(db);
  const principals = new SqlitePrincipalStore(db);
  const grants = new SqliteGrantStore(db);
  db.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (1, ?)').run(Buffer.alloc(60));
  const base: KeyRecord = { id: KEY_ID, region: 'us-east-1', createdAt: now, description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy: TEN };
  await keys.createKey(base, { keyId: KEY_ID, version: 1, domainKeyVersion: 1, wrappedMaterial: Buffer.alloc(60), createdAt: now }, [{ key: 'team', value: 'x' }]);
  await principals.createPrincipal({ id: 'p1', type: 'user', name: 'clinician', arn: user('clinician'), createdAt: now });
  await keys.putPolicyPrincipals(KEY_ID, { [user('clinician')]: 'p1' });
  const principal: Principal = { id: 'p1', type: 'user', name: 'clinician', arn: user('clinician'), account: ACCOUNT };
  const authorizer = new PolicyAuthorizer({ keys: new SqliteKeyFacts(db), identities: principals, grants, realm, timeZone: 'Europe/Paris' });
  const request = (policy: string) => ({
    principal,
    action: 'kms:Decrypt',
    resource: KEY,
    resourceAccount: ACCOUNT,
    context: { 'kms:EncryptionContextKeys': ['patient'], 'kms:EncryptionContext:patient': '42' },
    key: { ...base, policy },
    request: { sourceIp: '127.0.0.1', userAgent: 'bench', secureTransport: true, time: now },
  });
  const defaultReq = request(defaultKeyPolicy(ACCOUNT));
  await principals.putPrincipalPolicy('p1', 'p', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }), now);
  const tenReq = request(TEN);
  if ((await authorizer.authorize(tenReq)) !== 'Allow' || (await authorizer.authorize(defaultReq)) !== 'Allow') throw new Error('the benchmark requests should be allowed');
  const n = Math.max(1000, Math.floor(iterations / 10));
  const a0 = await timeAsync('PolicyAuthorizer.authorize(): default key policy (baseline)', n, () => authorizer.authorize(defaultReq));
  const a10 = await timeAsync('PolicyAuthorizer.authorize(): 10-statement key policy', n, () => authorizer.authorize(tenReq));
  process.stdout.write(`\nratio evaluate() 10-statement / empty:               ${(e10 / e0).toFixed(2)}x\n`);
  process.stdout.write(`ratio evaluate() 10-statement / default policy:      ${(e10 / e1).toFixed(2)}x\n`);
  process.stdout.write(`ratio authorize() 10-statement / default policy:     ${(a10 / a0).toFixed(2)}x\n`);
  process.stdout.write(`per-request authorization cost (10-statement policy): ${a10.toFixed(1)} µs (evaluate alone ${e10.toFixed(2)} µs)\n`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
