import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { REPO_ROOT, removeDir, tempDataDir } from '../helpers/server.js';
import { sqliteOf } from '../helpers/in-process.js';

/**
 * Acceptance of the XKS proxy API (issue 21 part 1): AWS's own test client
 * (aws-kms-xksproxy-test-client, bash + curl + jq), beside the checkout, run with `-a` (encrypt-only,
 * decrypt-only and impotent keys, and its negative cases) against `arca server` with `xksProxy:`.
 */

const CLIENT = join(REPO_ROOT, '..', 'shared', 'clients', 'xks-test-client');
const TOOLS = ['curl', 'jq', 'uuidgen', 'xxd', 'sha256sum'];
const missing = [...(existsSync(join(CLIENT, 'test-xks-proxy')) ? [] : [`the XKS test client at ${CLIENT}`]), ...TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)];
const skip = missing.length > 0 && process.env['CI'] !== 'true' ? `needs ${missing.join(', ')}` : false;
if (skip !== false) console.log(`skipping the XKS test client: ${skip}`);

const ACCOUNT = '111122223333';
const PRINCIPAL = 'xks-proxy';
const ACCESS_KEY_ID = 'BETWEEN2TENAND3TENCHARACTERS';
const SECRET = 'PleaseReplaceThisWithSomeSecretOfLength43To64';
const KEYS = { KEY_ID: ['foo', ['encrypt', 'decrypt']], ENCRYPT_ONLY_KEY_ID: ['encrypt_only_key', ['encrypt']], DECRYPT_ONLY_KEY_ID: ['decrypt_only_key', ['decrypt']], IMPOTENT_KEY_ID: ['impotent_key', []] } as const;

function policy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Xks', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${PRINCIPAL}` }, Action: ['arca:XksGetKeyMetadata', 'arca:XksEncrypt', 'arca:XksDecrypt'], Resource: '*' },
    ],
  });
}

/** Runs the client in a shell with its output in a file (through a real pipe: it reopens /dev/stderr, which fails on node's socket pairs and truncates a file); asynchronous, as the server runs in this process. */
function runClient(endpoint: string, dir: string): Promise<{ status: number | null; out: string }> {
  const host = endpoint.replace(/^https?:\/\//, '');
  const env = { ...process.env, XKS_PROXY_HOST: host, SCHEME: 'http://', URI_PREFIX: 'example/prefix', SIGV4_ACCESS_KEY_ID: ACCESS_KEY_ID, SIGV4_SECRET_ACCESS_KEY: SECRET, REGION: 'us-east-1', ANSI_ESCAPE: '0', ...Object.fromEntries(Object.entries(KEYS).map(([k, [id]]) => [k, id])) };
  const log = process.env['XKS_CLIENT_LOG'] ?? join(dir, 'xks-client.log');
  return new Promise((ok) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ./test-xks-proxy -a 2>&1 | cat > '${log}'`], { cwd: CLIENT, env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (status) => (clearTimeout(timer), ok({ status, out: readFileSync(log, 'utf8') })));
  });
}

describe('AWS XKS proxy test client against Arca', { skip }, () => {
  const dir = tempDataDir('arca-xks-');
  let server: SealedServer;
  let admin: ClientConfig;

  before(async () => {
    const keys = Object.values(KEYS).map(([xksKeyId, operations]) => ({ xksKeyId, key: `alias/xks-${xksKeyId}`, operations }));
    server = await startSealedServer(dir, { type: 'shamir' }, {}, { config: { xksProxy: { uriPathPrefix: '/example/prefix', principal: PRINCIPAL, credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }], keys } } });
    const init = await initialize(server);
    admin = init.admin;
    await unsealWith(server, init.shares.slice(0, 3));
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: PRINCIPAL });
    for (const [xksKeyId] of Object.values(KEYS)) {
      const created = await callOperation(admin, 'TrentService.CreateKey', { Policy: policy() });
      await callOperation(admin, 'TrentService.CreateAlias', { AliasName: `alias/xks-${xksKeyId}`, TargetKeyId: String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']) });
    }
  });

  after(async () => {
    await server?.close();
    removeDir(dir);
  });

  test('./test-xks-proxy -a passes every test over plain HTTP on loopback', async () => {
    const { status, out } = await runClient(server.endpoint, dir);
    const summary = /All (\d+) tests PASSED/.exec(out);
    assert.equal(status, 0, out.slice(-4000));
    assert.ok(summary !== null && Number(summary[1]) >= 40, out.slice(-2000));
  });

  test('XKS calls are audited as the XKS principal with the requestMetadata', () => {
    const rows = sqliteOf(server.app).prepare<[], { event_name: string; body: string }>("SELECT event_name, body FROM audit_events WHERE event_name LIKE 'Xks%'").all();
    assert.ok(rows.some((r) => r.event_name === 'XksEncrypt'));
    const ok = rows.map((r) => JSON.parse(r.body) as Record<string, Record<string, unknown>>).find((e) => e['requestParameters']?.['requestMetadata'] !== undefined && e['errorCode'] === undefined);
    assert.ok(ok !== undefined);
    assert.equal(ok['userIdentity']?.['arn'], `arn:aws:iam::${ACCOUNT}:user/${PRINCIPAL}`);
    assert.equal((ok['requestParameters']?.['requestMetadata'] as Record<string, unknown>)['awsPrincipalArn'], 'arn:aws:iam::123456789012:user/Alice');
  });

  test('health answers UNAVAILABLE once sealed', async () => {
    await callOperation(admin, 'ArcaService.Seal', {});
    const { stdout: out } = await promisify(execFile)('curl', ['-s', `${server.endpoint}/example/prefix/kms/xks/v1/health`, '-H', 'Content-Type:application/json', '--aws-sigv4', 'aws:amz:us-east-1:kms-xks-proxy', '--user', `${ACCESS_KEY_ID}:${SECRET}`, '--data-binary', '{"requestMetadata":{"kmsOperation":"KmsHealthCheck","kmsRequestId":"x"}}'], { encoding: 'utf8' });
    assert.equal((JSON.parse(out) as { ekmFleetDetails: { healthStatus: string }[] }).ekmFleetDetails[0]?.healthStatus, 'UNAVAILABLE');
  });
});
