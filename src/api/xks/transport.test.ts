import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { ERROR_CODES, KmsError } from '../../core/errors.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { PipelineRequest, PipelineResult } from '../../service/pipeline/pipeline.js';
import type { TransportRequest, TransportResponse } from '../transport.js';
import { XKS_ERRORS, XKS_STATUS } from './errors.js';
import { XksTransport } from './transport.js';

/**
 * The XKS transport alone, in front of a stand-in pipeline that reads the body as the real one does
 * (a KmsError from the transport's decoding becomes the request's error) and answers what a test gives.
 */
interface Stand {
  readonly transport: XksTransport;
  /** The decoded inputs the pipeline saw, with their targets. */
  readonly seen: { target: string; input: Record<string, unknown> }[];
}

function stand(opts: { answer?: (input: Record<string, unknown>) => PipelineResult; ready?: boolean; authFails?: boolean } = {}): Stand {
  const seen: Stand['seen'] = [];
  const pipeline = {
    handle: async (req: PipelineRequest): Promise<PipelineResult> => {
      let input: Record<string, unknown>;
      try {
        input = req.parseBody(z.record(z.string(), z.unknown()));
      } catch (e) {
        if (e instanceof KmsError) return { ok: false, error: e, requestId: req.requestId };
        throw e;
      }
      seen.push({ target: req.target, input });
      return opts.answer?.(input) ?? { ok: false, error: new KmsError('Internal', 'no answer'), requestId: req.requestId };
    },
    refuse: async (_req: unknown, error: KmsError) => error,
  };
  const keys = new Map([['foo', { xksKeyId: 'foo', key: 'alias/xks-foo', operations: ['encrypt', 'decrypt'] as const }]]);
  const transport = new XksTransport(pipeline, {
    uriPathPrefix: '/p',
    keys,
    authenticate: async () => {
      if (opts.authFails === true) throw new KmsError('InvalidSignature', 'The request signature we calculated does not match.');
    },
    ready: async () => opts.ready ?? true,
    vendor: 'Arca test',
  });
  return { transport, seen };
}

const METADATA = { awsPrincipalArn: 'arn:aws:iam::123456789012:user/Alice', kmsOperation: 'Encrypt', kmsRequestId: 'r-1', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k', kmsViaService: 'ebs' };

function request(path: string, body: unknown, method = 'POST'): TransportRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return { method, path, query: '', headers: [], sourceIp: '127.0.0.1', secureTransport: true, requestId: 'req-1', body: Buffer.from(raw) };
}

function bodyOf(r: TransportResponse): Record<string, unknown> {
  return JSON.parse(typeof r.body === 'string' ? r.body : r.body.toString('utf8')) as Record<string, unknown>;
}

const ok = (output: unknown): PipelineResult => ({ ok: true, output, requestId: 'req-1' });

describe('XKS transport', () => {
  test('malformed JSON is the spec ValidationException (400) on a key operation and on health', async () => {
    for (const path of ['/p/kms/xks/v1/keys/foo/encrypt', '/p/kms/xks/v1/keys/foo/metadata', '/p/kms/xks/v1/health']) {
      const r = await stand().transport.handle(request(path, '{"requestMetadata": {'));
      assert.equal(r.status, 400, path);
      assert.equal(bodyOf(r)['errorName'], 'ValidationException', path);
    }
  });

  test('a body without requestMetadata, or an encrypt without plaintext, is a ValidationException', async () => {
    const s = stand();
    const none = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/encrypt', { plaintext: 'AAAA' }));
    const noPlaintext = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/encrypt', { requestMetadata: METADATA, encryptionAlgorithm: 'AES_GCM' }));
    const notBase64 = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/encrypt', { requestMetadata: METADATA, plaintext: 'not base64!' }));
    for (const r of [none, noPlaintext, notBase64]) assert.deepEqual([r.status, bodyOf(r)['errorName']], [400, 'ValidationException']);
    assert.equal(s.seen.length, 0);
  });

  test('health answers ACTIVE when ready and UNAVAILABLE when sealed, without the pipeline', async () => {
    const health = (ready: boolean) => stand({ ready }).transport.handle(request('/p/kms/xks/v1/health', { requestMetadata: { kmsOperation: 'KmsHealthCheck', kmsRequestId: 'h' } }));
    const active = await health(true);
    const sealed = await health(false);
    assert.equal(active.status, 200);
    assert.equal(sealed.status, 200);
    const status = (r: TransportResponse) => (bodyOf(r)['ekmFleetDetails'] as { healthStatus: string }[])[0]?.healthStatus;
    assert.equal(status(active), 'ACTIVE');
    assert.equal(status(sealed), 'UNAVAILABLE');
  });

  test('health with a bad signature is AuthenticationFailedException (401), whatever the seal state', async () => {
    const r = await stand({ authFails: true, ready: false }).transport.handle(request('/p/kms/xks/v1/health', { requestMetadata: { kmsOperation: 'KmsHealthCheck', kmsRequestId: 'h' } }));
    assert.deepEqual([r.status, bodyOf(r)['errorName']], [401, 'AuthenticationFailedException']);
  });

  test('another prefix, an unknown operation or a malformed key id is InvalidUriPathException (404); a GET is 405', async () => {
    const s = stand();
    for (const path of ['/q/kms/xks/v1/health', '/p/kms/xks/v1/keys/foo/sign', '/p/kms/xks/v1/keys/f%20o/encrypt', '/p/kms/xks/v1/keys/foo/encrypt/x']) {
      const r = await s.transport.handle(request(path, { requestMetadata: METADATA }));
      assert.deepEqual([r.status, bodyOf(r)['errorName']], [404, 'InvalidUriPathException'], path);
    }
    const get = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/metadata', '', 'GET'));
    assert.equal(get.status, 405);
    assert.equal(s.seen.length, 0);
  });

  test('a key id that is not exposed is KeyNotFoundException (404)', async () => {
    const r = await stand().transport.handle(request('/p/kms/xks/v1/keys/bar/metadata', { requestMetadata: METADATA }));
    assert.deepEqual([r.status, bodyOf(r)['errorName']], [404, 'KeyNotFoundException']);
  });

  test('every error code of the pipeline reaches the wire as its XKS name with the spec status; an internal error is not echoed', async () => {
    for (const code of ERROR_CODES) {
      const s = stand({ answer: () => ({ ok: false, error: new KmsError(code, `secret detail of ${code}`), requestId: 'req-1' }) });
      const r = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/encrypt', { requestMetadata: METADATA, plaintext: 'AAAA' }));
      const name = XKS_ERRORS[code];
      assert.deepEqual([r.status, bodyOf(r)['errorName']], [XKS_STATUS[name], name], code);
      assert.equal(r.headers['content-type'], 'application/json', code);
      if (code === 'Internal') assert.ok(!String(bodyOf(r)['errorMessage']).includes('secret detail'));
    }
  });

  test('encrypt hands the pipeline the exposed key, the requestMetadata and the plaintext as secret bytes, and answers base64', async () => {
    const output = { ciphertext: Buffer.from('c'), initializationVector: Buffer.alloc(12, 1), authenticationTag: Buffer.alloc(16, 2), ciphertextMetadata: Buffer.from([1, 0, 0, 0, 1]), ciphertextDataIntegrityValue: Buffer.alloc(32, 3) };
    const s = stand({ answer: () => ok(output) });
    const aad = Buffer.from('context').toString('base64');
    const r = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/encrypt', { requestMetadata: METADATA, plaintext: Buffer.from('hello').toString('base64'), additionalAuthenticatedData: aad, encryptionAlgorithm: 'AES_GCM', ciphertextDataIntegrityValueAlgorithm: 'SHA_256' }));
    assert.equal(r.status, 200);
    const [call] = s.seen;
    assert.equal(call?.target, 'ArcaService.XksEncrypt');
    assert.equal(call?.input['KeyId'], 'alias/xks-foo');
    assert.equal(call?.input['XksKeyId'], 'foo');
    assert.deepEqual(call?.input['RequestMetadata'], { AwsPrincipalArn: METADATA.awsPrincipalArn, AwsSourceVpc: undefined, AwsSourceVpce: undefined, KmsKeyArn: METADATA.kmsKeyArn, KmsOperation: 'Encrypt', KmsRequestId: 'r-1', KmsViaService: 'ebs' });
    const plaintext = call?.input['Plaintext'];
    assert.ok(plaintext instanceof SecretBytes);
    assert.equal(plaintext.expose().toString(), 'hello');
    assert.deepEqual(call?.input['AdditionalAuthenticatedData'], Buffer.from('context'));
    assert.equal(call?.input['CiphertextDataIntegrityValueAlgorithm'], 'SHA_256');
    assert.deepEqual(bodyOf(r), { ciphertext: 'Yw==', ciphertextMetadata: 'AQAAAAE=', initializationVector: Buffer.alloc(12, 1).toString('base64'), authenticationTag: Buffer.alloc(16, 2).toString('base64'), ciphertextDataIntegrityValue: Buffer.alloc(32, 3).toString('base64') });
  });

  test('decrypt answers the plaintext in base64 and hands its secret bytes to the listener to dispose', async () => {
    const plaintext = SecretBytes.copyOf(Buffer.from('hello'));
    const s = stand({ answer: () => ok({ Plaintext: plaintext }) });
    const r = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/decrypt', { requestMetadata: { ...METADATA, kmsOperation: 'Decrypt' }, ciphertext: 'Yw==', ciphertextMetadata: 'AQAAAAE=', initializationVector: 'AAAAAAAAAAAAAAAA', authenticationTag: 'AAAAAAAAAAAAAAAAAAAAAA==', encryptionAlgorithm: 'AES_GCM' }));
    assert.equal(r.status, 200);
    assert.equal(bodyOf(r)['plaintext'], Buffer.from('hello').toString('base64'));
    assert.ok(Buffer.isBuffer(r.body), 'a body carrying a secret is a Buffer, zeroed once sent');
    assert.deepEqual(r.secrets, [plaintext]);
    assert.deepEqual(s.seen[0]?.input['CiphertextMetadata'], Buffer.from([1, 0, 0, 0, 1]));
  });

  test('metadata answers the spec shape: AES_256, the allowed usages, ENABLED or DISABLED', async () => {
    const s = stand({ answer: () => ok({ Operations: ['encrypt'], Enabled: false }) });
    const r = await s.transport.handle(request('/p/kms/xks/v1/keys/foo/metadata', { requestMetadata: { ...METADATA, kmsOperation: 'CreateKey' } }));
    assert.deepEqual(bodyOf(r), { keySpec: 'AES_256', keyUsage: ['ENCRYPT'], keyStatus: 'DISABLED' });
    assert.equal(s.seen[0]?.target, 'ArcaService.XksGetKeyMetadata');
  });
});
