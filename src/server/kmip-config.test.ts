import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadServerConfig } from './config.js';
import { kmipListenerConfig } from './kmip-config.js';

describe('kmip: configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-kmip-config-'));
  const file = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, `${name}\n`);
    return path;
  };
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (doc: Record<string, unknown>) => loadServerConfig(JSON.stringify({ dataDir: dir, ...doc }), {});
  const tls = () => ({ cert: file('server.crt'), key: file('server.key') });

  test('off unless configured; its TLS files default to the main listener\'s, and the client CA is required', () => {
    const none = load({ tls: tls() });
    assert.ok(none.ok);
    assert.equal(kmipListenerConfig(none.config.kmip, none.config.tls), undefined);
    const noCa = load({ tls: tls(), kmip: {} });
    assert.ok(!noCa.ok);
    assert.ok(noCa.errors.some((e) => e.startsWith('kmip.clientCa: required')), noCa.errors.join('; '));
    const ok = load({ tls: tls(), kmip: { clientCa: file('ca.crt') } });
    assert.ok(ok.ok, JSON.stringify(ok));
    const resolved = kmipListenerConfig(ok.config.kmip, ok.config.tls);
    assert.deepEqual([resolved?.host, resolved?.port, resolved?.cert.toString(), resolved?.exportableByDefault, resolved?.destroyPendingDays], ['0.0.0.0', 5696, 'server.crt\n', false, 7]);
  });

  test('a KMIP-only set-up (main listener without TLS) names its own files; bad values are reported together', () => {
    const own = load({ tls: { enabled: false }, kmip: { listen: '127.0.0.1:15696', cert: file('k.crt'), key: file('k.key'), clientCa: file('ca.crt') }, identity: { certificates: [{ match: { subject: 'CN=db' }, principal: 'db' }] } });
    assert.ok(own.ok, JSON.stringify(own));
    const bad = load({ tls: { enabled: false }, kmip: { listen: 'nowhere', cert: join(dir, 'missing.crt'), destroyPendingDays: 3, exportableByDefault: 'yes' } });
    assert.ok(!bad.ok);
    for (const expected of ['kmip.listen', 'kmip.cert: cannot read', 'kmip.key: required', 'kmip.destroyPendingDays', 'kmip.exportableByDefault']) assert.ok(bad.errors.some((e) => e.startsWith(expected)), `${expected} in ${bad.errors.join('; ')}`);
  });
});
