import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';

/**
 * Generating a key pair (RSA-4096: up to seconds) happens before the mutation's audit transaction opens
 * (Operation.prepare): while it runs, every other request is served and recorded as usual. Inside the
 * transaction it would hold up every group commit, so every answer, until the key pair was ready.
 */
describe('key pair generation and other requests', () => {
  let s: InProcessServer;
  let keyId: string;
  const call = (target: string, body: unknown) => rawRequest(s, { target: `TrentService.${target}`, body: JSON.stringify(body) });
  before(async () => {
    s = await startInProcess();
    keyId = ((await call('CreateKey', {})).json()['KeyMetadata'] as { KeyId: string }).KeyId;
  });
  after(() => s.close());

  const whileGenerating = async (generate: () => Promise<{ status: number }>) => {
    let finished = false;
    const generated = generate().finally(() => (finished = true));
    let served = 0;
    while (!finished) {
      const r = await call('Encrypt', { KeyId: keyId, Plaintext: 'aGk=' });
      assert.equal(r.status, 200);
      if (!finished) served++;
    }
    assert.equal((await generated).status, 200);
    return served;
  };

  it('CreateKey RSA_4096: Encrypt requests are answered while the key pair is generated', async () => {
    const served = await whileGenerating(() => call('CreateKey', { KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }));
    assert.ok(served >= 3, `${served} Encrypt answers while the key pair was generated`);
  });

  it('GetParametersForImport RSA_4096: the same for the wrapping key pair', async () => {
    const external = ((await call('CreateKey', { Origin: 'EXTERNAL' })).json()['KeyMetadata'] as { KeyId: string }).KeyId;
    const served = await whileGenerating(() => call('GetParametersForImport', { KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' }));
    assert.ok(served >= 3, `${served} Encrypt answers while the wrapping key pair was generated`);
  });

  it('a CreateKey that fails after its key pair was prepared answers the error and records one event', async () => {
    const before = s.app.audit.size;
    const r = await call('CreateKey', { KeySpec: 'RSA_4096', KeyUsage: 'ENCRYPT_DECRYPT', Policy: 'not json' });
    assert.equal(r.status, 400);
    assert.equal(s.app.audit.size, before + 1, 'the refusal is one audit event');
  });
});
