/**
 * Revoked client certificates (issue 17): `tls.clientCrl` names a PEM file of CRLs made with `openssl ca
 * -gencrl`. A revoked certificate never identifies a principal: with `clientCert: optional` it is
 * unverified (refused by the authenticator), with `required` it fails the handshake. The file holds a CRL
 * per CA (another CA's first, so a listener that read only the first CRL would fail every certificate).
 * `arca server` re-reads it on SIGHUP and closes the connections verified before; an unparseable file
 * on SIGHUP is refused and the running CRLs stay.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startChild, type Child } from '../../bench/lib/processes.js';
import { callOperation } from '../../src/cli/client.js';
import type { Logger } from '../../src/core/ports.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { crlOf, hasOpenssl, issue, makeCa, revoke } from '../helpers/pki.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('mTLS: revoked client certificates (tls.clientCrl)', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const dir = tempDataDir('arca-crl-');
  const crlFile = join(dir, 'clients.crl');
  const apps: ServerApp[] = [];
  let child: Child | undefined;
  const file = (name: string) => readFileSync(join(dir, name));
  const writeCrls = () => writeFileSync(crlFile, crlOf(dir, 'other-ca') + crlOf(dir, 'ca'));

  /** An unsigned STS GetCallerIdentity over node:https presenting `client`'s certificate, through `agent` if given. */
  const whoAmI = (port: number, client: string, agent?: Agent): Promise<{ status: number; text: string; reused: boolean }> =>
    new Promise((resolve, reject) => {
      const form = 'Action=GetCallerIdentity&Version=2011-06-15';
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(form.length) };
      const tls = agent === undefined ? { ca: file('ca.crt'), cert: file(`${client}.crt`), key: file(`${client}.key`), agent: false as const } : { agent };
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers, servername: 'localhost', ...tls }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(form);
    });

  const tlsConfig = (clientCert: 'optional' | 'required') => ({ cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), clientCa: join(dir, 'ca.crt'), clientCert, clientCrl: crlFile });
  const identity = { certificates: [{ match: { uri: 'spiffe://example.org/*' }, principal: 'app' }] };

  const start = async (clientCert: 'optional' | 'required', data: string): Promise<number> => {
    const loaded = loadServerConfig(JSON.stringify({ listen: '127.0.0.1:0', dataDir: join(dir, data), tls: tlsConfig(clientCert), identity }), {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
    apps.push(app);
    await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
    return (app.server.address() as AddressInfo).port;
  };

  before(() => {
    if (!hasOpenssl) return;
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    issue(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
    issue(dir, 'ca', 'good', '/CN=good', 'URI:spiffe://example.org/good');
    issue(dir, 'ca', 'revoked', '/CN=revoked', 'URI:spiffe://example.org/revoked');
    issue(dir, 'ca', 'later', '/CN=later', 'URI:spiffe://example.org/later');
    issue(dir, 'ca', 'busy', '/CN=busy', 'URI:spiffe://example.org/busy');
    revoke(dir, 'ca', 'revoked');
    writeCrls();
  });
  after(async () => {
    await child?.stop();
    for (const a of apps) await a.close();
    removeDir(dir);
  });

  it('optional mode: the revoked certificate is unverified and identifies no one; the other is the mapped principal', async () => {
    const port = await start('optional', 'optional');
    const anonymous = { endpoint: `https://localhost:${port}`, region: 'us-east-1', tls: { ca: file('ca.crt') } };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    const admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'app' });

    const good = await whoAmI(port, 'good');
    assert.equal(good.status, 200, good.text);
    assert.match(good.text, /<Arn>arn:aws:iam::111122223333:user\/app<\/Arn>/);
    const revoked = await whoAmI(port, 'revoked');
    assert.equal(revoked.status, 403, revoked.text);
    assert.match(revoked.text, /<Code>InvalidClientTokenId<\/Code>/);
    assert.match(revoked.text, /CERT_REVOKED/, 'the answer says why the certificate did not verify');
  });

  it('required mode: the revoked certificate fails the handshake; the other is served', async () => {
    const port = await start('required', 'required');
    await assert.rejects(whoAmI(port, 'revoked'));
    const good = await whoAmI(port, 'good');
    assert.ok(good.status > 0, 'a verified certificate gets an answer (this server is sealed)');
  });

  it('a connection busy with a request when the CRLs are replaced is closed after its answer', async () => {
    const port = await start('required', 'busy');
    const app = apps[apps.length - 1] as ServerApp;
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: file('ca.crt'), cert: file('busy.crt'), key: file('busy.key') });
    try {
      const form = 'Action=GetCallerIdentity&Version=2011-06-15';
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(form.length) };
      const answered = new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers, servername: 'localhost', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        // Half the body now; the rest after the reload, so the request is in flight across it.
        req.write(form.slice(0, 10));
        setTimeout(() => {
          revoke(dir, 'ca', 'busy');
          writeCrls();
          app.reloadClientCrl(crlFile);
          req.end(form.slice(10));
        }, 300);
      });
      assert.ok((await answered) > 0, 'the request in flight is answered');
      await assert.rejects(whoAmI(port, 'busy', agent), 'its connection was closed; a new one is refused at the handshake');
    } finally {
      agent.destroy();
    }
  });

  it('arca server re-reads the CRL file on SIGHUP, refuses an unparseable one, and closes connections verified before', async () => {
    const config = join(dir, 'arca.yaml');
    writeFileSync(config, stringify({ listen: '127.0.0.1:0', dataDir: join(dir, 'process'), tls: tlsConfig('required'), identity }));
    child = await startChild(process.execPath, [ARCA_BIN, 'server', '--config', config], { pattern: /listening on (https:\/\/\S+)/, name: 'arca server' });
    const server = child;
    const port = Number(new URL(server.endpoint).port);
    const reload = async (expect: string): Promise<void> => {
      const logged = server.output().length;
      server.process.kill('SIGHUP');
      for (const deadline = Date.now() + 10_000; !server.output().slice(logged).includes(expect) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      assert.match(server.output().slice(logged), new RegExp(expect));
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: file('ca.crt'), cert: file('later.crt'), key: file('later.key') });
    try {
      assert.ok((await whoAmI(port, 'later', agent)).status > 0, 'not revoked yet: served, over a kept-alive connection');
      await assert.rejects(whoAmI(port, 'revoked'));
      await reload('configuration reloaded');
      assert.equal((await whoAmI(port, 'later', agent)).reused, true, 'a reload with the same CRLs keeps the connections');

      writeFileSync(crlFile, '-----BEGIN X509 CRL-----\nnot a CRL\n-----END X509 CRL-----\n');
      await reload('configuration reload refused');
      assert.ok((await whoAmI(port, 'later')).status > 0, 'the running CRLs stay');
      await assert.rejects(whoAmI(port, 'revoked'));

      revoke(dir, 'ca', 'later');
      writeCrls();
      await reload('configuration reloaded');
      await assert.rejects(whoAmI(port, 'later'), 'a new connection is refused at the handshake');
      await assert.rejects(whoAmI(port, 'later', agent), 'the kept-alive connection verified before the reload was closed');
      assert.ok((await whoAmI(port, 'good')).status > 0);
    } finally {
      agent.destroy();
    }
  });
});
