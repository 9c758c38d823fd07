import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XksProxyError, type XksProxyTarget } from '../../src/core/custom-key-stores.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { XksClient } from '../../src/server/xks-client.js';
import { startXksProxyFixture, type XksProxyFixture } from '../helpers/xks-proxy-fixture.js';

const META = { awsPrincipalArn: 'arn:aws:iam::111122223333:user/alice', kmsOperation: 'Encrypt', kmsRequestId: 'req-1', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' };

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof XksProxyError, `an XksProxyError, not ${String(e)}`);
    return e.failure;
  }
  assert.fail('the call succeeded');
}

describe('XksClient against the XKS proxy fixture (SigV4 kms-xks-proxy, AES-GCM)', () => {
  let proxy: XksProxyFixture;
  let target: XksProxyTarget;
  const client = new XksClient({ timeoutMs: 500, region: 'us-east-1' });
  before(async () => {
    proxy = await startXksProxyFixture();
    target = { settings: { uriEndpoint: proxy.endpoint, uriPath: proxy.uriPath, connectivity: 'PUBLIC_ENDPOINT', accessKeyId: proxy.accessKeyId }, secret: SecretBytes.copyOf(Buffer.from(proxy.secret, 'utf8')) };
  });
  after(() => proxy.stop());

  it('health, key metadata, and an encrypt/decrypt round trip bound to the AAD, with the request metadata sent', async () => {
    await client.health(target, { kmsOperation: 'ConnectCustomKeyStore', kmsRequestId: 'req-0' });
    assert.deepEqual(await client.keyMetadata(target, proxy.keyId, META), { keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
    const aad = Buffer.from('header-and-context');
    const sealed = await client.encrypt(target, proxy.keyId, SecretBytes.copyOf(Buffer.from('inner layer')), aad, META);
    assert.equal(sealed.iv.length, 12);
    assert.equal((await client.decrypt(target, proxy.keyId, sealed, aad, META)).expose().toString(), 'inner layer');
    assert.equal(await failure(client.decrypt(target, proxy.keyId, sealed, Buffer.from('other aad'), META)), 'InvalidCiphertextException');
    assert.equal(await failure(client.decrypt(target, proxy.keyId, { ...sealed, metadata: Buffer.from('tampered') }, aad, META)), 'InvalidCiphertextException');
    const last = proxy.requests.at(-1);
    assert.deepEqual(last?.metadata, META);
  });

  it('maps the proxy errors and transport failures to the spec failures', async () => {
    assert.equal(await failure(client.keyMetadata(target, 'no-such-key', META)), 'KeyNotFoundException');
    const wrongSecret = { ...target, secret: SecretBytes.copyOf(Buffer.from('not the secret')) };
    assert.equal(await failure(client.health(wrongSecret, META)), 'AuthenticationFailedException');
    assert.equal(await failure(client.health({ ...target, settings: { ...target.settings, uriPath: '/wrong/kms/xks/v1' } }, META)), 'InvalidUriPathException');
    proxy.addKey('encrypt-only', { usage: ['ENCRYPT'] });
    const sealed = await client.encrypt(target, 'encrypt-only', SecretBytes.copyOf(Buffer.from('x')), Buffer.alloc(0), META);
    assert.equal(await failure(client.decrypt(target, 'encrypt-only', sealed, Buffer.alloc(0), META)), 'InvalidKeyUsageException');
    proxy.mode = 'garbage';
    assert.equal(await failure(client.health(target, META)), 'MalformedResponse');
    proxy.mode = 'silent';
    assert.equal(await failure(client.health(target, META)), 'TimedOut');
    proxy.mode = 'ok';
    assert.equal(await failure(client.health({ ...target, settings: { ...target.settings, uriEndpoint: 'http://127.0.0.1:1' } }, META)), 'Unreachable');
  });

  it('a swapped proxy key no longer opens what the old one sealed', async () => {
    proxy.addKey('swappable');
    const sealed = await client.encrypt(target, 'swappable', SecretBytes.copyOf(Buffer.from('y')), Buffer.alloc(0), META);
    proxy.swapKey('swappable');
    assert.equal(await failure(client.decrypt(target, 'swappable', sealed, Buffer.alloc(0), META)), 'InvalidCiphertextException');
  });
});
