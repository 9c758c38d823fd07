/**
 * Issue 16: anomaly detection on a real `arca server` process. The rules come from the file
 * `detection.rulesFile` names; SIGHUP re-reads it (with arca.yaml), so a tightened rule applies without a
 * restart: its alert is logged at warn and its breaker refuses the principal, and an invalid rules file
 * is refused while the running rules stay.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startChild, type Child } from '../../bench/lib/processes.js';
import { ArcaCallError, callOperation, type ClientConfig } from '../../src/cli/client.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

const rules = (threshold: number) => ({ rules: [{ name: 'denied-burst', type: 'failureBurst', threshold, windowSeconds: 300, errorCodes: ['AccessDenied'], severity: 'critical', action: { type: 'block', scope: 'principal', durationSeconds: 600 } }] });

describe('detection rules file reloaded on SIGHUP (arca server, issue 16)', () => {
  const dir = tempDataDir();
  const file = join(dir, 'arca.yaml');
  const rulesFile = join(dir, 'rules.yaml');
  let server: Child;
  let admin: ClientConfig;
  let carol: ClientConfig;
  let allowed: string;
  let forbidden: string;

  before(async () => {
    writeFileSync(rulesFile, stringify(rules(1000)));
    writeFileSync(file, stringify({ listen: '127.0.0.1:0', tls: { enabled: false }, dataDir: join(dir, 'data'), detection: { rulesFile } }));
    server = await startChild(process.execPath, [ARCA_BIN, 'server', '--config', file], { pattern: /listening on (http:\/\/\S+)/, name: 'arca server' });
    const anonymous = { endpoint: server.endpoint, region: 'us-east-1' };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    const key = async () => ((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as { Arn: string }).Arn;
    [allowed, forbidden] = [await key(), await key()];
    // Carol may encrypt under one key; every Encrypt she sends to the other is AccessDenied.
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'carol' });
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: allowed }] };
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'carol', PolicyName: 'one-key', PolicyDocument: JSON.stringify(policy) });
    const access = (await callOperation(admin, 'ArcaService.CreateAccessKey', { PrincipalName: 'carol' }))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
    carol = { ...anonymous, credentials: { accessKeyId: access.AccessKeyId, secretAccessKey: access.SecretAccessKey } };
  });

  after(async () => {
    await server?.stop();
    removeDir(dir);
  });

  const encryptAsCarol = async (keyId = forbidden): Promise<string> => {
    try {
      await callOperation(carol, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x').toString('base64') });
      return 'ok';
    } catch (e) {
      return e instanceof ArcaCallError ? `${e.type}: ${e.message}` : String(e);
    }
  };
  const reload = async (expect: string): Promise<void> => {
    const logged = server.output().length;
    server.process.kill('SIGHUP');
    for (const deadline = Date.now() + 10_000; !server.output().slice(logged).includes(expect) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    assert.match(server.output().slice(logged), new RegExp(expect));
  };

  it('a rule tightened in the rules file applies after SIGHUP: its alert is logged and its breaker blocks the principal', async () => {
    for (let i = 0; i < 3; i++) assert.match(await encryptAsCarol(), /AccessDeniedException: User: .*carol is not authorized/);
    assert.equal(await encryptAsCarol(allowed), 'ok');
    writeFileSync(rulesFile, stringify(rules(3)));
    await reload('configuration reloaded');
    const logged = server.output().length;
    for (let i = 0; i < 3; i++) assert.match(await encryptAsCarol(), /is not authorized/);
    // Her refusals named no key she may use: the breaker covers her on every key, the one she may use too.
    const refused = await encryptAsCarol(allowed);
    assert.match(refused, /^AccessDeniedException: Circuit breaker brk-\S+ blocks arn:aws:iam::111122223333:user\/carol on any key \(alert \S+, rule denied-burst\)/);
    for (const deadline = Date.now() + 5_000; !server.output().slice(logged).includes('anomaly alert') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    assert.ok(server.output().slice(logged).split("\n").some((l) => l.includes('"message":"anomaly alert"') && l.includes('"rule":"denied-burst"')), server.output().slice(logged));
    const alerts = (await callOperation(admin, 'ArcaService.ListAlerts', { Rule: 'denied-burst' }))['Alerts'] as { severity: string; principal: string }[];
    assert.deepEqual(alerts.map((a) => [a.severity, a.principal]), [['critical', 'arn:aws:iam::111122223333:user/carol']]);
  });

  it('an invalid rules file is refused on SIGHUP and the running rules stay', async () => {
    writeFileSync(rulesFile, 'rules:\n  - { name: broken, type: failureBurst, threshold: 0, windowSeconds: 1 }\n');
    await reload('configuration reload refused');
    assert.match(await encryptAsCarol(allowed), /Circuit breaker/);
    const breakers = (await callOperation(admin, 'ArcaService.ListBreakers', {}))['Breakers'] as { breakerId: string }[];
    assert.equal(breakers.length, 1);
    await callOperation(admin, 'ArcaService.ReleaseBreaker', { BreakerId: breakers[0]?.breakerId });
    assert.equal(await encryptAsCarol(allowed), 'ok');
    // The threshold of 3 still holds: three more refusals trip the breaker again.
    for (let i = 0; i < 3; i++) assert.match(await encryptAsCarol(), /is not authorized/);
    assert.match(await encryptAsCarol(allowed), /Circuit breaker/);
  });
});
