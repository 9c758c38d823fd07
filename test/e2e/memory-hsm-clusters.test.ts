import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HsmConnectionError, HsmDecryptError } from '../../src/core/hsm-keys.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { MemoryHsmClusters } from '../helpers/memory-hsm-clusters.js';

const pw = (s: string) => SecretBytes.copyOf(Buffer.from(s, 'utf8'));

describe('MemoryHsmClusters (the HSM port in memory, for custom key store tests)', () => {
  it('refuses an unknown cluster and a wrong password with the port codes', async () => {
    const hsm = new MemoryHsmClusters().addCluster('cluster-1a23b4cdefg', 'kmsuser-pass');
    assert.equal(hsm.has('cluster-1a23b4cdefg'), true);
    await assert.rejects(hsm.connect('cluster-unknown0000', pw('x')), (e: unknown) => e instanceof HsmConnectionError && e.code === 'CLUSTER_NOT_FOUND');
    await assert.rejects(hsm.connect('cluster-1a23b4cdefg', pw('wrong')), (e: unknown) => e instanceof HsmConnectionError && e.code === 'INVALID_CREDENTIALS');
  });

  it('generates labelled keys, seals bound to the AAD, destroys, and refuses calls once closed', async () => {
    const hsm = new MemoryHsmClusters().addCluster('cluster-1a23b4cdefg', 'kmsuser-pass');
    const c = await hsm.connect('cluster-1a23b4cdefg', pw('kmsuser-pass'));
    await c.generateKey('key-a');
    await assert.rejects(c.generateKey('key-a'), 'a label is unique');
    assert.deepEqual(hsm.labels('cluster-1a23b4cdefg'), ['key-a']);
    const sealed = await c.encrypt('key-a', pw('secret'), Buffer.from('aad'));
    assert.equal((await c.decrypt('key-a', sealed, Buffer.from('aad'))).expose().toString(), 'secret');
    await assert.rejects(c.decrypt('key-a', sealed, Buffer.from('other')), HsmDecryptError);
    assert.equal(await c.destroyKey('key-a'), true);
    assert.equal(await c.hasKey('key-a'), false);
    assert.equal(hsm.openSessions, 1);
    await c.close();
    assert.equal(hsm.openSessions, 0);
    await assert.rejects(c.generateKey('key-b'));
  });
});
