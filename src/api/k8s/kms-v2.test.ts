import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { sealBlob } from '../../crypto/ciphertext-blob.js';
import { BLOB_FORMAT_HSM, BLOB_FORMAT_XKS, customKeyStoreHeader } from '../../crypto/custom-key-store-blob.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import { keyMaterialId } from '../../core/key-material-id.js';
import type { PipelineRequest, PipelineResult } from '../../service/pipeline/pipeline.js';
import { GRPC } from './errors.js';
import { KmsV2Plugin } from './kms-v2.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
const blob = (version: number) => sealBlob(SecretBytes.copyOf(Buffer.alloc(32, 7)), { keyId: KEY, version }, Buffer.from('dek'), Buffer.alloc(0));

/** A pipeline that records each request and the input it read, and answers `answer`. */
function fakePipeline(answer: (req: PipelineRequest, input: Record<string, unknown>) => PipelineResult) {
  const seen: { req: PipelineRequest; input: Record<string, unknown> }[] = [];
  return {
    seen,
    handle: async (req: PipelineRequest): Promise<PipelineResult> => {
      let input: Record<string, unknown>;
      try {
        input = req.parseBody(z.record(z.string(), z.unknown())) as Record<string, unknown>;
      } catch (e) {
        seen.push({ req, input: {} });
        return { ok: false, error: e as KmsError, requestId: req.requestId };
      }
      seen.push({ req, input });
      return answer(req, input);
    },
  };
}

describe('KmsV2Plugin (the Kubernetes KMS v2 adapter)', () => {
  test('Encrypt: a pipeline Encrypt of the DEK as the socket, uid in the event data; key_id = ARN # material id of the blob version', async () => {
    const pipeline = fakePipeline((req) => ({ ok: true, output: { CiphertextBlob: blob(3), KeyId: ARN }, requestId: req.requestId }));
    const plugin = new KmsV2Plugin(pipeline, { key: 'alias/k8s', socket: '/run/k.sock' });
    const dek = Buffer.from('0123456789abcdef');
    const answer = await plugin.encrypt({ plaintext: dek, uid: 'u'.repeat(300) });
    assert.ok(answer.ok);
    assert.equal(answer.message.key_id, `${ARN}#${keyMaterialId(KEY, 3)}`);
    const { req, input } = pipeline.seen[0]!;
    assert.equal(req.target, 'TrentService.Encrypt');
    assert.equal(req.auth.localSocket, '/run/k.sock');
    assert.equal(input['KeyId'], 'alias/k8s');
    assert.ok(input['Plaintext'] instanceof SecretBytes);
    assert.deepEqual(req.eventData, { kubernetesCall: 'Encrypt', kubernetesUid: 'u'.repeat(128) }, 'the uid is bounded');
    assert.ok(dek.every((b) => b === 0), "the request's DEK buffer is zeroed");
  });

  test('Encrypt under a key of a custom key store (blob 0x03 or 0x04): key_id from that blob\'s header too', async () => {
    for (const format of [BLOB_FORMAT_XKS, BLOB_FORMAT_HSM] as const) {
      const head = customKeyStoreHeader(format, KEY, 2);
      const pipeline = fakePipeline((req) => ({ ok: true, output: { CiphertextBlob: Buffer.concat([head, Buffer.alloc(40, 1)]), KeyId: ARN }, requestId: req.requestId }));
      const answer = await new KmsV2Plugin(pipeline, { key: 'alias/k8s', socket: '/run/k.sock' }).encrypt({ plaintext: Buffer.from('0123456789abcdef'), uid: 'u' });
      assert.ok(answer.ok, JSON.stringify(answer));
      assert.equal(answer.message.key_id, `${ARN}#${keyMaterialId(KEY, 2)}`);
    }
  });

  test('Status: healthz ok with the current key_id; a failure is its code and message, and the last key_id stays', async () => {
    let fail: KmsError | undefined;
    const pipeline = fakePipeline((req) => (fail ? { ok: false, error: fail, requestId: req.requestId } : { ok: true, output: { CiphertextBlob: blob(1), KeyId: ARN }, requestId: req.requestId }));
    const plugin = new KmsV2Plugin(pipeline, { key: 'alias/k8s', socket: '/s' });
    const first = await plugin.status();
    assert.deepEqual(first, { version: 'v2', healthz: 'ok', key_id: `${ARN}#${keyMaterialId(KEY, 1)}` });
    assert.deepEqual(pipeline.seen[0]?.req.eventData, { kubernetesCall: 'Status' });
    fail = new KmsError('KeyDisabled', `${ARN} is disabled.`);
    assert.deepEqual(await plugin.status(), { version: 'v2', healthz: `KeyDisabled: ${ARN} is disabled.`, key_id: first.key_id });
    assert.equal((await new KmsV2Plugin(pipeline, { key: 'alias/k8s', socket: '/s' }).status()).key_id, 'alias/k8s', 'never empty');
  });

  test('Decrypt: invalid annotations are refused inside the pipeline (so audited) as INVALID_ARGUMENT; the plaintext is handed over as a secret', async () => {
    const pipeline = fakePipeline((req) => ({ ok: true, output: { Plaintext: SecretBytes.copyOf(Buffer.from('dek')), KeyId: ARN }, requestId: req.requestId }));
    const plugin = new KmsV2Plugin(pipeline, { key: 'alias/k8s', socket: '/s' });
    const refused = await plugin.decrypt({ ciphertext: blob(1), uid: 'u1', key_id: 'k', annotations: { nodots: Buffer.from('x') } });
    assert.ok(!refused.ok);
    assert.equal(refused.code, GRPC.INVALID_ARGUMENT);
    assert.match(refused.details, /^ValidationFailed: .*'nodots' is not a fully qualified domain name/);
    assert.equal(pipeline.seen.length, 1, 'the refusal went through the pipeline');
    const answer = await plugin.decrypt({ ciphertext: blob(1), uid: 'u2', key_id: 'k', annotations: {} });
    assert.ok(answer.ok);
    assert.deepEqual(answer.message.plaintext, Buffer.from('dek'));
    assert.equal(answer.secrets.length, 1);
    assert.deepEqual(pipeline.seen[1]?.req.eventData, { kubernetesCall: 'Decrypt', kubernetesUid: 'u2', kubernetesKeyId: 'k' });
  });

  test('a malformed message is INVALID_ARGUMENT without reaching the pipeline', async () => {
    const pipeline = fakePipeline(() => assert.fail('not called'));
    const plugin = new KmsV2Plugin(pipeline, { key: 'k', socket: '/s' });
    assert.equal((await plugin.encrypt({ plaintext: 'text' })).ok, false);
    const answer = await plugin.decrypt({ ciphertext: Buffer.from('x'), annotations: { 'a.b': 'not bytes' } });
    assert.ok(!answer.ok && answer.code === GRPC.INVALID_ARGUMENT);
  });
});
