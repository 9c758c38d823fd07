import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServerConfig } from './config.js';
import { openHsmClusters } from './hsm-clusters.js';

const base = 'dataDir: /tmp/arca-hsm-config-test\ntls: { enabled: false }\n';
const MODULE = process.execPath; // any readable file stands for a module here

describe('hsmClusters configuration', () => {
  it('accepts clusters by token label or slot and opens them (modules load at the first connect)', () => {
    const r = loadServerConfig(`${base}hsmClusters:\n  - { clusterId: cluster-234abcdefgh, module: ${MODULE}, tokenLabel: kms-a }\n  - { clusterId: cluster-aBcDeFgHiJkLmNoP, module: ${MODULE}, slot: 1, sessions: 4, pinPolicy: { minLength: 7, maxLength: 32 } }\n`, {});
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const clusters = openHsmClusters(r.config);
    assert.ok(clusters !== undefined);
    assert.equal(clusters.has('cluster-234abcdefgh'), true);
    assert.equal(clusters.has('cluster-aBcDeFgHiJkLmNoP'), true);
    assert.equal(clusters.has('cluster-zzzzzzzzzzz'), false);
    assert.equal(openHsmClusters({}), undefined);
  });

  it('reports every bad entry at once: cluster ids, token choice, duplicates, unreadable module, the root token', () => {
    const yaml = `${base}root: { type: pkcs11, module: ${MODULE}, tokenLabel: root-token, pinEnv: PIN }\nhsmClusters:\n` +
      `  - { clusterId: cluster-short, module: ${MODULE}, tokenLabel: a }\n` +
      `  - { clusterId: cluster-0189abcdefgh, module: ${MODULE}, tokenLabel: b }\n` +
      `  - { clusterId: hsm-234abcdefgh, module: ${MODULE}, tokenLabel: c }\n` +
      `  - { clusterId: cluster-234abcdefgh, module: ${MODULE}, tokenLabel: d, slot: 2 }\n` +
      `  - { clusterId: cluster-234abcdefgh, module: ${MODULE}, tokenLabel: e }\n` +
      `  - { clusterId: cluster-234abcdefgi, module: /nonexistent/lib.so, tokenLabel: f }\n` +
      `  - { clusterId: cluster-234abcdefgj, module: ${MODULE}, tokenLabel: root-token }\n`;
    const r = loadServerConfig(yaml, { PIN: '1234' });
    assert.equal(r.ok, false);
    const errors = r.ok ? [] : r.errors;
    for (const i of [0, 1, 2]) assert.ok(errors.some((e) => e.startsWith(`hsmClusters.${i}.clusterId: must be a cluster id`)), `entry ${i}: ${errors.join('\n')}`);
    assert.ok(errors.some((e) => e.startsWith('hsmClusters.3: give exactly one of tokenLabel and slot')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('hsmClusters.4.clusterId: cluster-234abcdefgh is configured twice')), errors.join('\n'));
    assert.ok(errors.includes('hsmClusters.5.module: cannot read the PKCS#11 module /nonexistent/lib.so'), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('hsmClusters.6: uses the token of the PKCS#11 root of trust')), errors.join('\n'));
  });

  it('ARCA_HSM_CLUSTERS gives the list as YAML', () => {
    const r = loadServerConfig(base, { ARCA_HSM_CLUSTERS: `[{ clusterId: cluster-234abcdefgh, module: ${MODULE}, tokenLabel: kms }]` });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.config.hsmClusters?.map((c) => c.clusterId), ['cluster-234abcdefgh']);
  });
});
