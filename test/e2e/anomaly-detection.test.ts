/**
 * Issue 16: anomaly detection end to end, on the in-process server with real HTTP and the AWS SDK. A
 * local webhook receiver gets a signed alert (HMAC verified here) for a burst of decrypt failures and for
 * a principal's new source network (a second loopback address, 127.0.1.1, in another /24); the burst's
 * rule blocks the key for that principal while another principal is unaffected; an administrator lists
 * the alerts and breakers, releases the breaker, and the key works again for it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { rulesSchema } from '../../src/service/detection/rules.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { ARCA_BIN } from '../helpers/server.js';

const SECRET = 'webhook-signing-secret-0123456789';
const TOKEN = 'metrics-token-0123456789';

interface Received {
  readonly body: string;
  readonly signature: string;
  readonly alert: { alertId: string; rule: string; principal: string; keyArn?: string; breaker?: { breakerId: string }; details: Record<string, unknown> };
}

describe('anomaly detection, alerts and circuit breakers (issue 16)', () => {
  let receiver: Server;
  const received: Received[] = [];
  let server: InProcessServer;
  let admin: ClientConfig;
  let keyId: string;
  let blob: Uint8Array;
  const clients: Record<string, KMSClient> = {};
  const arns: Record<string, string> = {};

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ body, signature: String(req.headers['x-arca-signature']), alert: (JSON.parse(body) as { alert: Received['alert'] }).alert });
        res.end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    const rules = rulesSchema.parse([
      { name: 'decrypt-failures', type: 'failureBurst', severity: 'high', threshold: 5, windowSeconds: 60, errorCodes: ['InvalidCiphertext'], action: { type: 'block', scope: 'principal' } },
      { name: 'new-network', type: 'newSourceNetwork', severity: 'medium' },
    ]);
    server = await startInProcess({
      metrics: { bearerToken: TOKEN },
      detection: { enabled: true, settings: { rules, maxTracked: 1000 }, webhooks: [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, secret: SECRET }] },
    });
    admin = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey } };
    keyId = ((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as { KeyId: string }).KeyId;
    for (const name of ['alice', 'bob']) {
      const created = await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: name });
      arns[name] = String((created['Principal'] as { Arn: string }).Arn);
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] };
      await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'use', PolicyDocument: JSON.stringify(policy) });
      const key = (await callOperation(admin, 'ArcaService.CreateAccessKey', { PrincipalName: name }))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
      const credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
      clients[name] = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
      // The same principal from a second loopback address, in another /24 (127.0.1.0/24).
      const agent = new Agent({ localAddress: '127.0.1.1' });
      clients[`${name}@other-network`] = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
    }
    blob = (await kms('alice').send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('secret data') }))).CiphertextBlob as Uint8Array;
  });

  after(async () => {
    for (const c of Object.values(clients)) c.destroy();
    await server?.close();
    await new Promise<void>((ok) => receiver?.close(() => ok()));
  });

  const kms = (name: string): KMSClient => clients[name] as KMSClient;
  const decrypt = async (name: string, ciphertext = blob): Promise<string> => {
    try {
      await kms(name).send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      return 'ok';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const waitFor = async (check: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check(), 'timed out');
  };
  /** Runs the arca CLI as the administrator, asynchronously (the server answers from this process). */
  const cli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env = { ...process.env, ARCA_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: 'us-east-1' };
      const child = spawn(process.execPath, [ARCA_BIN, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const verify = (r: Received): void => {
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
    assert.ok(r.signature.length === expected.length && timingSafeEqual(Buffer.from(r.signature), expected), 'the signature is the HMAC-SHA256 of the body');
  };

  it('a burst of decrypt failures raises a signed alert and blocks the key for that principal only', async () => {
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    for (let i = 0; i < 5; i++) assert.match(await decrypt('alice', tampered), /^InvalidCiphertextException/);
    await waitFor(() => received.some((r) => r.alert.rule === 'decrypt-failures'));
    const burst = received.find((r) => r.alert.rule === 'decrypt-failures') as Received;
    verify(burst);
    assert.equal(burst.alert.principal, arns['alice']);
    assert.match(String(burst.alert.keyArn), new RegExp(`key/${keyId}$`));
    assert.equal(burst.alert.details['count'], 5);
    const breakerId = burst.alert.breaker?.breakerId ?? assert.fail('the alert names its breaker');
    const refused = await decrypt('alice');
    assert.match(refused, new RegExp(`^AccessDeniedException: Circuit breaker ${breakerId} .*alert ${burst.alert.alertId}`));
    assert.equal(await decrypt('bob'), 'ok', 'another principal is unaffected');
    // The breaker's refusals raise no further alert.
    assert.equal(received.filter((r) => r.alert.rule === 'decrypt-failures').length, 1);
  });

  it('a principal using a new source network raises a signed alert', async () => {
    assert.equal(await decrypt('bob@other-network'), 'ok');
    await waitFor(() => received.some((r) => r.alert.rule === 'new-network'));
    const alert = received.find((r) => r.alert.rule === 'new-network') as Received;
    verify(alert);
    assert.equal(alert.alert.principal, arns['bob']);
    assert.equal(alert.alert.details['network'], '127.0.1.0/24');
  });

  it('the alerts are in the audit trail and the metrics; an administrator acknowledges and releases, and the key works again', async () => {
    const listed = (await callOperation(admin, 'ArcaService.ListAlerts', {}))['Alerts'] as { alertId: string; rule: string }[];
    assert.deepEqual(listed.map((a) => a.rule).sort(), ['decrypt-failures', 'new-network']);
    const events = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'Alert' }))['Events'] as { eventID: string }[];
    assert.deepEqual(events.map((e) => e.eventID).sort(), listed.map((a) => a.alertId).sort());
    const metrics = await (await fetch(`${server.endpoint}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.match(metrics, /arca_alerts_total\{rule="decrypt-failures",severity="high"\} 1/);
    assert.match(metrics, /arca_alerts_total\{rule="new-network",severity="medium"\} 1/);

    const burst = listed.find((a) => a.rule === 'decrypt-failures') as { alertId: string };
    const ack = await cli(['alerts', 'ack', burst.alertId, '--note', 'investigated']);
    assert.equal(ack.code, 0, ack.stderr);
    const open = (await callOperation(admin, 'ArcaService.ListAlerts', { Acknowledged: false }))['Alerts'] as { rule: string }[];
    assert.deepEqual(open.map((a) => a.rule), ['new-network']);

    const breakers = (await callOperation(admin, 'ArcaService.ListBreakers', {}))['Breakers'] as { breakerId: string; principal: string }[];
    assert.equal(breakers.length, 1);
    assert.equal(breakers[0]?.principal, arns['alice']);
    // Alice cannot release her own breaker: it is an administrator's action.
    const aliceConfig = { ...admin, credentials: await kms('alice').config.credentials() };
    await assert.rejects(callOperation(aliceConfig, 'ArcaService.ReleaseBreaker', { BreakerId: breakers[0]?.breakerId }), /AccessDenied/);
    // The CLI: list the alerts and breakers, then release (the server is in this process: the CLI runs async).
    const alertsTable = await cli(['alerts', 'list', '--unacknowledged']);
    assert.equal(alertsTable.code, 0, alertsTable.stderr);
    assert.match(alertsTable.stdout, /^alertId +time +rule +severity/);
    assert.match(alertsTable.stdout, /new-network +medium/);
    assert.doesNotMatch(alertsTable.stdout, /decrypt-failures/);
    const breakerJson = await cli(['breaker', 'list', '--output', 'json']);
    assert.deepEqual((JSON.parse(breakerJson.stdout) as { breakerId: string }[]).map((b) => b.breakerId), [breakers[0]?.breakerId]);
    const release = await cli(['breaker', 'release', String(breakers[0]?.breakerId), '--reason', 'tested a broken client']);
    assert.equal(release.code, 0, release.stderr);
    assert.equal((await cli(['breaker', 'release', String(breakers[0]?.breakerId)])).code, 1, 'a released breaker is gone');
    assert.equal(await decrypt('alice'), 'ok');
    const released = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'ReleaseBreaker', Outcome: 'Success' }))['Events'] as { requestParameters: { breakerId: string } }[];
    assert.deepEqual(released.map((e) => e.requestParameters.breakerId), [breakers[0]?.breakerId]);
  });
});
