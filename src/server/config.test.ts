import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ENV_OVERRIDES, loadServerConfig } from './config.js';

const errorsOf = (yaml: string | undefined, env: Record<string, string> = {}) => {
  const r = loadServerConfig(yaml, env);
  return r.ok ? [] : [...r.errors];
};

describe('arca server configuration', () => {
  test('a minimal loopback config without TLS is valid and gets the defaults', () => {
    const r = loadServerConfig('dataDir: /var/lib/arca\nlisten: 127.0.0.1:8420\ntls: { enabled: false }\n', {});
    assert.ok(r.ok);
    assert.deepEqual([r.config.region, r.config.account, r.config.root], ['us-east-1', '111122223333', { type: 'shamir' }]);
  });

  test('kubernetes: the plugin socket, key and principal, from the file or ARCA_KUBERNETES_*; incomplete or unknown fields are refused', () => {
    const base = 'dataDir: /var/lib/arca\ntls: { enabled: false }\n';
    const r = loadServerConfig(`${base}kubernetes: { socket: /var/run/kmsplugin/socket.sock, key: alias/k8s-etcd, principal: k8s-plugin }\n`, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config.kubernetes, { socket: '/var/run/kmsplugin/socket.sock', key: 'alias/k8s-etcd', principal: 'k8s-plugin' });
    const env = loadServerConfig(base, { ARCA_KUBERNETES_SOCKET: '/run/k.sock', ARCA_KUBERNETES_KEY: '1234', ARCA_KUBERNETES_PRINCIPAL: 'p' });
    assert.ok(env.ok);
    assert.deepEqual(env.config.kubernetes, { socket: '/run/k.sock', key: '1234', principal: 'p' }, 'a numeric key id stays text');
    const off = loadServerConfig(base, {});
    assert.ok(off.ok && off.config.kubernetes === undefined, 'off by default');
    const errors = errorsOf(`${base}kubernetes: { socket: /run/${'s'.repeat(120)}.sock, key: k, colour: red }\n`);
    assert.ok(errors.some((e) => e.startsWith('kubernetes.socket:')) && errors.some((e) => e.startsWith('kubernetes.principal:')) && errors.some((e) => e.startsWith('kubernetes:')), errors.join('; '));
  });

  test('customKeyStores: the XKS client timeout and CA file, from the file or ARCA_CUSTOM_KEY_STORES_*; an unreadable CA file is refused', () => {
    const base = 'dataDir: /var/lib/arca\ntls: { enabled: false }\n';
    const dir = mkdtempSync(join(tmpdir(), 'arca-cks-config-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
      const r = loadServerConfig(`${base}customKeyStores: { xks: { timeoutMs: 300, caFile: ${ca} } }\n`, {});
      assert.ok(r.ok);
      assert.deepEqual(r.config.customKeyStores, { xks: { timeoutMs: 300, caFile: ca } });
      const env = loadServerConfig(base, { ARCA_CUSTOM_KEY_STORES_XKS_TIMEOUT_MS: '750' });
      assert.ok(env.ok);
      assert.deepEqual(env.config.customKeyStores, { xks: { timeoutMs: 750 } });
      const defaults = loadServerConfig(`${base}customKeyStores: {}\n`, {});
      assert.ok(defaults.ok && defaults.config.customKeyStores?.xks.timeoutMs === 2000);
      const errors = errorsOf(`${base}customKeyStores: { xks: { timeoutMs: 10, caFile: ${join(dir, 'missing.pem')} }, hsm: {} }\n`);
      for (const path of ['customKeyStores.xks.timeoutMs', 'customKeyStores.xks.caFile', 'customKeyStores:']) assert.ok(errors.some((e) => e.startsWith(path)), `${path} in ${errors.join(' | ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every error is reported at once', () => {
    const errors = errorsOf('dataDir: 7\nregion: Mars\naccount: 12\nroot: { type: vault }\nlisten: nowhere\nunknownKey: 1\n');
    for (const path of ['dataDir', 'region', 'account', 'root.type', '(top level)']) assert.ok(errors.some((e) => e.startsWith(path)), `${path} in ${errors.join(' | ')}`);
  });

  test('semantic errors are reported together: TLS off off loopback, missing cert and key, pkcs11 choices', () => {
    assert.deepEqual(errorsOf('dataDir: /d\nlisten: 0.0.0.0:8420\ntls: { enabled: false }\n'), [
      'tls.enabled: false is allowed only on a loopback listen address (127.0.0.1, ::1, localhost), not 0.0.0.0',
    ]);
    const errors = errorsOf('dataDir: /d\nlisten: bad\nroot: { type: pkcs11, module: /nonexistent.so }\n');
    assert.ok(errors.includes('tls.cert: required when tls.enabled is true'), errors.join(' | '));
    assert.ok(errors.includes('tls.key: required when tls.enabled is true'));
    assert.ok(errors.includes('root: give exactly one of tokenLabel and slot'));
    assert.ok(errors.includes('root: give exactly one of pinFile and pinEnv'));
    assert.ok(errors.some((e) => e.startsWith('listen:')));
    assert.ok(errors.some((e) => e.startsWith('root.module:')));
  });

  test('storage: SQLite by default, PostgreSQL from the file or ARCA_STORAGE_URL alone; a bad URL is refused without echoing it', () => {
    const base = 'dataDir: /d\nlisten: 127.0.0.1:1\ntls: { enabled: false }\n';
    const plain = loadServerConfig(base, {});
    assert.ok(plain.ok);
    assert.deepEqual(plain.config.storage, { type: 'sqlite' });
    const fromEnv = loadServerConfig(base, { ARCA_STORAGE_URL: 'postgres://arca:s3cret@db:5432/arca', ARCA_NODE_NAME: 'node-1' });
    assert.ok(fromEnv.ok);
    assert.deepEqual(fromEnv.config.storage, { type: 'postgres', url: 'postgres://arca:s3cret@db:5432/arca' });
    assert.equal(fromEnv.config.nodeName, 'node-1');
    const fromFile = loadServerConfig(`${base}storage: { type: postgres, url: "postgresql://h/db", pool: { max: 4 } }\n`, {});
    assert.ok(fromFile.ok);
    assert.deepEqual(fromFile.config.storage, { type: 'postgres', url: 'postgresql://h/db', pool: { max: 4 } });
    const bad = errorsOf(base, { ARCA_STORAGE_URL: 'mysql://root:hunter22@db/arca' });
    assert.deepEqual(bad, ['storage.url: must be a postgres:// or postgresql:// URL']);
    assert.ok(!bad.join('').includes('hunter22'));
    assert.deepEqual(errorsOf(`${base}storage: { type: postgres, url: "postgres://h/db", tls: { cert: /nonexistent.crt } }\n`), [
      'storage.tls: give both cert and key, or neither',
      'storage.tls.cert: cannot read /nonexistent.crt',
    ]);
    assert.ok(errorsOf(base, { ARCA_NODE_NAME: 'bad name!' }).some((e) => e.startsWith('nodeName:')));
  });

  test('the working-hours time zone and the shortest rotation period are validated and overridable', () => {
    const base = 'dataDir: /d\nlisten: 127.0.0.1:1\ntls: { enabled: false }\n';
    const defaults = loadServerConfig(base, {});
    assert.ok(defaults.ok);
    assert.deepEqual([defaults.config.timeZone, defaults.config.minRotationPeriodDays], ['UTC', 90]);
    const set = loadServerConfig(`${base}timeZone: Europe/Paris\n`, { ARCA_MIN_ROTATION_PERIOD_DAYS: '30' });
    assert.ok(set.ok);
    assert.deepEqual([set.config.timeZone, set.config.minRotationPeriodDays], ['Europe/Paris', 30]);
    const bad = errorsOf(`${base}timeZone: Mars/Olympus\nminRotationPeriodDays: 0\n`);
    assert.ok(bad.some((e) => e.startsWith('timeZone')) && bad.some((e) => e.startsWith('minRotationPeriodDays')), bad.join(' | '));
  });

  test('the scheduler tick defaults to 60 s, is overridable and validated', () => {
    const base = 'dataDir: /d\nlisten: 127.0.0.1:1\ntls: { enabled: false }\n';
    const defaults = loadServerConfig(base, {});
    assert.ok(defaults.ok);
    assert.equal(defaults.config.scheduler.intervalSeconds, 60);
    const set = loadServerConfig(`${base}scheduler: { intervalSeconds: 2 }\n`, {});
    assert.ok(set.ok);
    assert.equal(set.config.scheduler.intervalSeconds, 2);
    const env = loadServerConfig(base, { ARCA_SCHEDULER_INTERVAL_SECONDS: '5' });
    assert.ok(env.ok);
    assert.equal(env.config.scheduler.intervalSeconds, 5);
    for (const bad of ['0', '0.5', '3601']) assert.ok(errorsOf(`${base}scheduler: { intervalSeconds: ${bad} }\n`).some((e) => e.startsWith('scheduler.intervalSeconds')), bad);
    assert.ok(errorsOf(`${base}scheduler: { interval: 5 }\n`).some((e) => e.startsWith('scheduler')));
  });

  test('ARCA_* variables override the file, typed as the field needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-config-'));
    try {
      writeFileSync(join(dir, 'c.pem'), 'x');
      const r = loadServerConfig('dataDir: /from-file\nlisten: 127.0.0.1:8420\ntls: { enabled: false }\n', {
        ARCA_DATA_DIR: '/from-env',
        ARCA_ACCOUNT: '000011112222',
        ARCA_LISTEN: '[::1]:9000',
        ARCA_TLS_ENABLED: 'true',
        ARCA_TLS_CERT: join(dir, 'c.pem'),
        ARCA_TLS_KEY: join(dir, 'c.pem'),
      });
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual([r.config.dataDir, r.config.account, r.config.listen, r.config.tls.enabled], ['/from-env', '000011112222', '[::1]:9000', true]);
      assert.deepEqual(errorsOf(undefined, { ARCA_DATA_DIR: '/d', ARCA_TLS_ENABLED: 'false', ARCA_LISTEN: '10.0.0.1:1' }).length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('docs/configuration.md documents every field and every environment variable', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const field of ['listen', 'tls.enabled', 'tls.cert', 'tls.key', 'tls.clientCa', 'tls.clientCrl', 'dataDir', 'region', 'account', 'root.type', 'root.module', 'root.tokenLabel', 'root.slot', 'root.pinFile', 'root.pinEnv', 'root.keyLabel', 'maxBodyBytes', 'logLevel']) {
      assert.ok(doc.includes(`\`${field}\``), `docs/configuration.md lacks ${field}`);
    }
    for (const name of Object.keys(ENV_OVERRIDES)) assert.ok(doc.includes(name), `docs/configuration.md lacks ${name}`);
  });
});

describe('arca server configuration: logLevel', () => {
  const base = 'dataDir: /d\ntls: { enabled: false }\n';
  test('defaults to info; the file or ARCA_LOG_LEVEL sets it; an unknown level is reported', () => {
    const level = (yaml: string, env: Record<string, string> = {}) => {
      const r = loadServerConfig(yaml, env);
      return r.ok ? r.config.logLevel : r.errors;
    };
    assert.equal(level(base), 'info');
    assert.equal(level(`${base}logLevel: debug\n`), 'debug');
    assert.equal(level(`${base}logLevel: debug\n`, { ARCA_LOG_LEVEL: 'warn' }), 'warn');
    assert.deepEqual(errorsOf(`${base}logLevel: verbose\n`).map((e) => e.split(':')[0]), ['logLevel']);
  });
});

describe('arca server configuration: metrics', () => {
  const base = 'dataDir: /d\nlisten: 127.0.0.1:8420\ntls: { enabled: false }\n';
  test('metrics on the main listener need a bearer token; a separate listener does not', () => {
    assert.deepEqual(errorsOf(`${base}metrics: {}\n`), ['metrics: give bearerToken to serve /metrics on the main listener, or listen for a separate metrics listener']);
    assert.deepEqual(errorsOf(`${base}metrics: { bearerToken: short }\n`), ['metrics.bearerToken: must be at least 16 characters']);
    assert.deepEqual(errorsOf(`${base}metrics: { listen: 'nowhere' }\n`).map((e) => e.split(':')[0]), ['metrics.listen']);
    const r = loadServerConfig(`${base}metrics: { listen: '0.0.0.0:9420' }\n`, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config.metrics, { listen: '0.0.0.0:9420' });
  });

  test('metrics.keys takes key ids and key ARNs, not aliases', () => {
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const r = loadServerConfig(`${base}metrics: { listen: '127.0.0.1:9420', keys: [1234abcd-12ab-34cd-56ef-1234567890ab, '${arn}'] }\n`, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config.metrics?.keys, ['1234abcd-12ab-34cd-56ef-1234567890ab', arn]);
    assert.deepEqual(errorsOf(`${base}metrics: { listen: '127.0.0.1:9420', keys: [alias/app] }\n`), ['metrics.keys.0: must be a key id or a key ARN']);
  });

  test('ARCA_METRICS_* turn metrics on and keep the token as text', () => {
    const r = loadServerConfig(base, { ARCA_METRICS_BEARER_TOKEN: '1234567890123456' });
    assert.ok(r.ok);
    assert.equal(r.config.metrics?.bearerToken, '1234567890123456');
    const off = loadServerConfig(base, {});
    assert.ok(off.ok);
    assert.equal(off.config.metrics, undefined, 'no metrics section: metrics are off');
  });

  test('identity.certificates and tls.clientCert need tls.clientCa; a rule needs a match field and a principal name or ARN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-cfg-'));
    try {
      for (const f of ['c.pem', 'k.pem', 'ca.pem']) writeFileSync(join(dir, f), 'x');
      const tls = `tls: { cert: ${join(dir, 'c.pem')}, key: ${join(dir, 'k.pem')}`;
      const rules = 'identity: { certificates: [{ match: { uri: "spiffe://example.org/*" }, principal: app }] }\n';
      assert.deepEqual(errorsOf(`dataDir: /d\n${tls}, clientCert: optional }\n${rules}`), [
        'tls.clientCert: needs tls.clientCa (the CAs client certificates must chain to)',
        'identity.certificates: needs TLS with tls.clientCa, or kmip: (only a verified client certificate maps to a principal)',
      ]);
      const ok = loadServerConfig(`dataDir: /d\n${tls}, clientCa: ${join(dir, 'ca.pem')}, clientCert: optional }\n${rules}`, {});
      assert.ok(ok.ok, JSON.stringify(ok));
      assert.equal(ok.config.identity?.certificates?.[0]?.principal, 'app');
      const bad = errorsOf(`dataDir: /d\n${tls}, clientCa: ${join(dir, 'ca.pem')} }\nidentity: { certificates: [{ match: {}, principal: 'a b' }] }\n`);
      assert.ok(bad.some((e) => e.startsWith('identity.certificates.0.match: give at least one')), bad.join(' | '));
      assert.ok(bad.some((e) => e.startsWith('identity.certificates.0.principal: must be a principal name')), bad.join(' | '));
      // A CRL file needs the client CA, and must be readable and hold CRLs: a boot error, not a listener that fails later.
      assert.deepEqual(errorsOf(`dataDir: /d\n${tls}, clientCrl: ${join(dir, 'ca.pem')} }\n`), ['tls.clientCrl: needs tls.clientCa (the CAs whose revocations it lists)']);
      assert.deepEqual(errorsOf(`dataDir: /d\n${tls}, clientCa: ${join(dir, 'ca.pem')}, clientCrl: ${join(dir, 'none.crl')} }\n`), [`tls.clientCrl: cannot read ${join(dir, 'none.crl')} (ENOENT)`]);
      assert.deepEqual(errorsOf(`dataDir: /d\n${tls}, clientCa: ${join(dir, 'ca.pem')}, clientCrl: ${join(dir, 'ca.pem')} }\n`), [`tls.clientCrl: ${join(dir, 'ca.pem')} holds no PEM CRL (-----BEGIN X509 CRL-----)`]);
      assert.ok(errorsOf(`dataDir: /d\n${tls} }\n`, { ARCA_TLS_CLIENT_CRL: join(dir, 'x.crl') }).includes('tls.clientCrl: needs tls.clientCa (the CAs whose revocations it lists)'), 'ARCA_TLS_CLIENT_CRL sets it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
