import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadServerConfig } from './config.js';

const base = 'dataDir: /var/lib/arca\nlisten: 127.0.0.1:8420\ntls: { enabled: false }\n';
const ID = 'BETWEEN2TENAND3TENCHARACTERS';
const SECRET = 'PleaseReplaceThisWithSomeSecretOfLength43To64';
const errorsOf = (yaml: string, env: Record<string, string> = {}) => {
  const r = loadServerConfig(yaml, env);
  return r.ok ? [] : [...r.errors];
};

describe('xksProxy configuration', () => {
  test('credentials (one in the file, one from an ARCA_* variable), principal and per-key operations', () => {
    const yaml = `${base}xksProxy:\n  uriPathPrefix: /keystores/a\n  principal: xks-proxy\n  credentials:\n    - { accessKeyId: ${ID}, secretAccessKey: ${SECRET} }\n    - { accessKeyId: AKIAI2SFODNN7EXAMPLE, secretAccessKeyEnv: ARCA_XKS_SECRET_2 }\n  keys:\n    - { xksKeyId: foo, key: alias/xks-foo }\n    - { xksKeyId: enc, key: alias/xks-enc, operations: [encrypt] }\n    - { xksKeyId: none, key: alias/xks-none, operations: [] }\n`;
    const r = loadServerConfig(yaml, { ARCA_XKS_SECRET_2: 'FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE' });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    assert.deepEqual(r.config.xksProxy?.keys.map((k) => k.operations), [['encrypt', 'decrypt'], ['encrypt'], []]);
    assert.equal(r.config.xksProxy?.uriPathPrefix, '/keystores/a');
    assert.ok(errorsOf(yaml).some((e) => e.includes('ARCA_XKS_SECRET_2 is not set')));
    const off = loadServerConfig(base, {});
    assert.ok(off.ok && off.config.xksProxy === undefined, 'off by default');
  });

  test("refuses what the spec refuses: access key id and secret charsets and lengths, key ids, duplicates, a bad prefix", () => {
    const errors = errorsOf(`${base}xksProxy:\n  uriPathPrefix: no-slash\n  principal: p\n  credentials:\n    - { accessKeyId: short, secretAccessKey: tooShort }\n    - { accessKeyId: ${ID}, secretAccessKey: ${SECRET}, secretAccessKeyEnv: ARCA_X }\n  keys:\n    - { xksKeyId: 'bad id', key: k }\n    - { xksKeyId: a, key: k, operations: [sign] }\n`);
    for (const path of ['xksProxy.uriPathPrefix', 'xksProxy.credentials.0.accessKeyId', 'xksProxy.credentials.0.secretAccessKey', 'xksProxy.credentials.1', 'xksProxy.keys.0.xksKeyId', 'xksProxy.keys.1.operations']) {
      assert.ok(errors.some((e) => e.startsWith(`${path}`)), `${path}: ${errors.join('; ')}`);
    }
    assert.ok(errorsOf(`${base}xksProxy: { principal: p, credentials: [{ accessKeyId: ${ID}, secretAccessKey: ${SECRET} }], keys: [{ xksKeyId: a, key: k }, { xksKeyId: a, key: j }] }\n`).some((e) => e.includes('each xksKeyId may appear once')));
  });
});
