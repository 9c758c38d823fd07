/**
 * Issue 16: the structured logs never carry a secret. Canaries (a plaintext, access key secrets, unseal
 * shares, a metrics bearer token and a PostgreSQL password in the storage URL) go through real requests
 * and the configuration of a server logging at `debug` (the most verbose level) through the production
 * logger (pino); every line it wrote is then scanned for each of them. The same run checks that the
 * logs are worth having: one line per request, each with the request id the answer carried.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ArcaCallError, callOperation, type ClientConfig } from '../../src/cli/client.js';
import type { Logger } from '../../src/core/ports.js';
import { createLogger } from '../../src/server/logger.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';

const PLAINTEXT = 'canary-plaintext-5d1e0b';
const BAD_SHARE = 'canary-share-77c2e1';
const BEARER = 'canary-bearer-token-3f9a2c4b';
const PG_PASSWORD = 'canary-pg-password-b4e8d1';

function debugLog(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(...s.split('\n').filter((l) => l !== '')) } }) };
}

async function failure(p: Promise<unknown>): Promise<ArcaCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ArcaCallError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** Runs requests carrying every secret a client sends or gets; returns the secrets to scan for. */
async function exercise(server: SealedServer): Promise<string[]> {
  const { shares, admin } = await initialize(server, 3, 2);
  await failure(callOperation(server.anonymous, 'ArcaService.Unseal', { Share: BAD_SHARE }));
  await unsealWith(server, shares.slice(0, 2));
  const keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
  const b64 = Buffer.from(PLAINTEXT).toString('base64');
  const blob = String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: b64 }))['CiphertextBlob']);
  await callOperation(admin, 'TrentService.Decrypt', { CiphertextBlob: blob });
  const dataKey = await callOperation(admin, 'TrentService.GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' });
  // Failures log at warn with their message: one that echoes input must not echo the plaintext.
  await failure(callOperation(admin, 'TrentService.Encrypt', { KeyId: 'alias/missing', Plaintext: b64 }));
  await failure(callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.alloc(5000, PLAINTEXT).toString('base64') }));
  await failure(callOperation(admin, 'TrentService.Decrypt', { CiphertextBlob: Buffer.from(PLAINTEXT).toString('base64') }));
  await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'app' });
  const created = await callOperation(admin, 'ArcaService.CreateAccessKey', { PrincipalName: 'app' });
  const appSecret = String((created['AccessKey'] as Record<string, unknown>)['SecretAccessKey']);
  assert.ok(appSecret.length >= 20);
  // A caller signing with a wrong secret, and one presenting a wrong bearer token to /metrics.
  const forged: ClientConfig = { ...admin, credentials: { accessKeyId: String(admin.credentials?.accessKeyId), secretAccessKey: 'canary-wrong-secret-9e2d' } };
  await failure(callOperation(forged, 'TrentService.ListKeys', {}));
  assert.equal((await fetch(`${server.endpoint}/metrics`, { headers: { authorization: 'Bearer canary-wrong-bearer-1c7f' } })).status, 401);
  assert.equal((await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${BEARER}` } })).status, 200);
  return [
    PLAINTEXT, b64, BAD_SHARE, BEARER, 'canary-wrong-secret-9e2d', 'canary-wrong-bearer-1c7f',
    ...shares, String(admin.credentials?.secretAccessKey),
    String(dataKey['Plaintext']), Buffer.from(String(dataKey['Plaintext']), 'base64').toString('hex'),
    appSecret,
  ];
}

function assertClean(lines: readonly string[], canaries: readonly string[]): void {
  assert.ok(lines.length > 0);
  for (const line of lines) {
    JSON.parse(line);
    for (const c of canaries) assert.ok(!line.includes(c), `a log line carries a secret (${c.slice(0, 12)}…): ${line.slice(0, 200)}`);
    assert.doesNotMatch(line, /canary/, `a log line carries a canary: ${line.slice(0, 200)}`);
  }
}

describe('the logs never carry a secret (SQLite)', () => {
  const dir = tempDataDir();
  const { logger, lines } = debugLog();
  let server: SealedServer | undefined;
  after(async () => {
    await server?.close();
    removeDir(dir);
  });

  it('plaintexts, shares, access key secrets and the metrics token appear in no line, at debug', async () => {
    server = await startSealedServer(dir, { type: 'shamir' }, {}, { logger, config: { metrics: { bearerToken: BEARER } } });
    const canaries = await exercise(server);
    assertClean(lines, canaries);
  });

  it('each request wrote one line with the request id its answer carried; failures at warn', async () => {
    assert.ok(server);
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['message'] === 'request' || l['message'] === 'request failed');
    const res = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
    const id = res.headers.get('x-amzn-requestid');
    const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['requestId'] === id);
    assert.equal(mine.length, 1, 'one line for the request');
    assert.equal(mine[0]?.['level'], 'warn');
    assert.equal(mine[0]?.['errorCode'], 'MissingAuthentication');
    assert.equal(mine[0]?.['operation'], 'ListKeys');
    assert.ok(requests.some((l) => l['level'] === 'debug' && l['operation'] === 'Encrypt' && l['outcome'] === 'success'));
    assert.ok(requests.some((l) => l['level'] === 'warn' && l['operation'] === 'Unseal'));
  });
});

describeWithPostgres('the logs never carry a secret (PostgreSQL)', (cluster) => {
  const dir = tempDataDir();
  const { logger, lines } = debugLog();
  let server: SealedServer | undefined;
  after(async () => {
    await server?.close();
    removeDir(dir);
  });

  it('the password in the storage URL appears in no line, nor do the request canaries', async () => {
    // Trust authentication: the server accepts any password, so the canary reaches the driver for real.
    const url = new URL(cluster().url(await cluster().createDatabase()));
    url.password = PG_PASSWORD;
    server = await startSealedServer(dir, { type: 'shamir' }, { ARCA_STORAGE_URL: url.toString() }, { logger, config: { metrics: { bearerToken: BEARER } } });
    const canaries = await exercise(server);
    assert.ok(lines.some((l) => l.includes('storage: PostgreSQL')), 'the storage line was written');
    assertClean(lines, [...canaries, PG_PASSWORD]);
  });

  // Here because this is a PostgreSQL server with metrics on: the pool's gauges, and no read cache.
  it('its /metrics has the PostgreSQL pool gauges and no read-cache series', async () => {
    assert.ok(server);
    const text = await (await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${BEARER}` } })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    assert.ok(value('arca_postgres_pool_clients') >= 1, 'the pool holds a connection');
    assert.ok(value('arca_postgres_pool_idle_clients') >= 0);
    assert.equal(value('arca_postgres_pool_waiting_requests'), 0);
    assert.equal(value('arca_scheduler_leader'), 1, 'the only node holds the lease');
    assert.doesNotMatch(text, /arca_read_cache_/);
  });
});
