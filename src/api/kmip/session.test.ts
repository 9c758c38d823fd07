import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { PipelineRequest, PipelineResult } from '../../service/pipeline/pipeline.js';
import { KmipSession, HANDLERS } from './session.js';
import { boolean, bytes, enumeration, integer, structure, text } from './payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, KEY_FORMAT_TYPE, OBJECT_TYPE, OPERATION, QUERY_FUNCTION, RESULT_REASON, RESULT_STATUS, TAG } from './tags.js';
import { decodeTtlv, encodeTtlv, type TtlvItem, type TtlvStructure } from './ttlv.js';

/**
 * The KMIP adapter against a recording pipeline: what each KMIP operation asks of Arca, how refusals
 * are answered, batches, and the guarantee that no input makes it throw (fuzzed).
 */
function session(answer: (target: string, input: Record<string, unknown>) => Record<string, unknown> | KmsError = () => ({})) {
  const calls: { target: string; input: Record<string, unknown>; req: PipelineRequest }[] = [];
  const pipeline = {
    async handle(req: PipelineRequest): Promise<PipelineResult> {
      const input = req.parseBody(z.record(z.string(), z.unknown()));
      calls.push({ target: req.target, input, req });
      const out = answer(req.target, input);
      return out instanceof KmsError ? { ok: false, error: out, requestId: req.requestId } : { ok: true, output: out, requestId: req.requestId };
    },
  };
  const logged: unknown[] = [];
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_m: string, f?: unknown) => void logged.push(f) };
  const s = new KmipSession({ pipeline, options: { exportableByDefault: false, destroyPendingDays: 7 }, clock: { now: () => new Date(1_700_000_000_000) }, logger });
  return { s, calls, logged };
}

const peer = { sourceIp: '192.0.2.7', clientCertificate: undefined };

function request(items: readonly TtlvItem[][], version: [number, number] = [1, 2], headerExtra: TtlvItem[] = []): Uint8Array {
  const header = structure(TAG.RequestHeader, [
    structure(TAG.ProtocolVersion, [integer(TAG.ProtocolVersionMajor, version[0]), integer(TAG.ProtocolVersionMinor, version[1])]),
    ...headerExtra,
    integer(TAG.BatchCount, items.length),
  ]);
  return encodeTtlv(structure(TAG.RequestMessage, [header, ...items.map((children) => structure(TAG.BatchItem, children))]) as TtlvStructure);
}

const item = (op: keyof typeof OPERATION, payload: TtlvItem[]): TtlvItem[] => [enumeration(TAG.Operation, OPERATION[op]), structure(TAG.RequestPayload, payload)];
const attribute = (name: string, value: TtlvItem): TtlvItem => structure(TAG.Attribute, [text(TAG.AttributeName, name), { ...value, tag: TAG.AttributeValue }]);
const aes256 = [attribute('Cryptographic Algorithm', enumeration(0, CRYPTOGRAPHIC_ALGORITHM.Aes)), attribute('Cryptographic Length', integer(0, 256))];

interface Item {
  status: number;
  reason?: number;
  message?: string;
  payload?: TtlvStructure;
}

function items(bytes: Uint8Array): Item[] {
  const root = decodeTtlv(bytes);
  return root.value
    .filter((c) => c.tag === TAG.BatchItem)
    .map((b) => {
      const fields = (b as TtlvStructure).value;
      const pick = (tag: number) => fields.find((c) => c.tag === tag);
      const status = pick(TAG.ResultStatus);
      const reason = pick(TAG.ResultReason);
      const message = pick(TAG.ResultMessage);
      return {
        status: status?.type === 'Enumeration' ? status.value : -1,
        ...(reason?.type === 'Enumeration' && { reason: reason.value }),
        ...(message?.type === 'TextString' && { message: message.value }),
        ...(pick(TAG.ResponsePayload)?.type === 'Structure' && { payload: pick(TAG.ResponsePayload) as TtlvStructure }),
      };
    });
}

const created = { KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' } };

describe('KMIP session', () => {
  test('Create asks CreateManagedKey for an AES-256 key, PreActive, with its Name as an alias and x- attributes as tags', async () => {
    const { s, calls } = session(() => created);
    const payload = [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), structure(TAG.TemplateAttribute, [...aes256, attribute('Name', structure(0, [text(TAG.NameValue, 'db-key'), enumeration(TAG.NameType, 1)])), attribute('x-team', text(0, 'payments'))])];
    const [answer] = items(await s.answer(request([item('Create', payload)]), peer));
    assert.equal(answer?.status, RESULT_STATUS.Success, answer?.message);
    assert.deepEqual(calls.map((c) => [c.target, c.input]), [['ArcaService.CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Exportable: false, Activate: false, Aliases: ['alias/db-key'], Tags: [{ TagKey: 'x-team', TagValue: 'payments' }], Description: 'Created over KMIP' }]]);
    assert.equal(calls[0]?.req.eventData?.['kmipOperation'], 'Create');
    assert.equal(calls[0]?.req.sourceIp, '192.0.2.7');
    assert.deepEqual(answer?.payload?.value.find((c) => c.tag === TAG.UniqueIdentifier), text(TAG.UniqueIdentifier, created.KeyMetadata.KeyId));
  });

  test('KMIP 2.0 attributes (an Attributes structure) are read the same, and Extractable makes the key exportable', async () => {
    const { s, calls } = session(() => created);
    const attrs = structure(TAG.Attributes, [enumeration(TAG.CryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.HmacSha256), integer(TAG.CryptographicLength, 256), boolean(TAG.Extractable, true)]);
    const [answer] = items(await s.answer(request([item('Create', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), attrs])], [2, 0]), peer));
    assert.equal(answer?.status, RESULT_STATUS.Success, answer?.message);
    assert.deepEqual(calls[0]?.input, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Exportable: true, Activate: false, Description: 'Created over KMIP' });
  });

  test('what Arca cannot make is refused without calling the pipeline: AES-128, a key pair, a usage mask it cannot honour', async () => {
    const { s, calls } = session(() => created);
    const aes128 = [attribute('Cryptographic Algorithm', enumeration(0, CRYPTOGRAPHIC_ALGORITHM.Aes)), attribute('Cryptographic Length', integer(0, 128))];
    const signMask = [...aes256, attribute('Cryptographic Usage Mask', integer(0, 0x01))];
    for (const [type, attrs] of [[OBJECT_TYPE.SymmetricKey, aes128], [OBJECT_TYPE.PrivateKey, aes256], [OBJECT_TYPE.SymmetricKey, signMask]] as const) {
      const [answer] = items(await s.answer(request([item('Create', [enumeration(TAG.ObjectType, type), structure(TAG.TemplateAttribute, attrs)])]), peer));
      assert.equal(answer?.status, RESULT_STATUS.OperationFailed);
      assert.equal(answer?.reason, RESULT_REASON.InvalidField, answer?.message);
    }
    assert.equal(calls.length, 0);
  });

  test('Register hands the material over as a secret, and zeroes the request bytes it came in', async () => {
    let seen: SecretBytes | undefined;
    const { s } = session((_t, input) => ((seen = input['Material'] as SecretBytes), created));
    const material = Buffer.alloc(32, 0x5a);
    const key = structure(TAG.SymmetricKey, [structure(TAG.KeyBlock, [enumeration(TAG.KeyFormatType, KEY_FORMAT_TYPE.Raw), structure(TAG.KeyValue, [bytes(TAG.KeyMaterial, material)]), enumeration(TAG.CryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.Aes), integer(TAG.CryptographicLength, 256)])]);
    const frame = request([item('Register', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), structure(TAG.TemplateAttribute, []), key])]);
    const [answer] = items(await s.answer(frame, peer));
    assert.equal(answer?.status, RESULT_STATUS.Success, answer?.message);
    assert.ok(seen instanceof SecretBytes);
    assert.equal(Buffer.from(frame).indexOf(material), -1, 'the material is no longer in the request frame');
    assert.throws(() => seen?.expose(), 'the secret is disposed once the answer is made');
  });

  test('a pipeline refusal is the batch item\'s Result Reason, with Arca\'s code and message', async () => {
    const { s } = session(() => new KmsError('AccessDenied', 'User: x is not authorized to perform: arca:ExportKeyMaterial'));
    const [answer] = items(await s.answer(request([item('Get', [text(TAG.UniqueIdentifier, 'k')])]), peer));
    assert.equal(answer?.reason, RESULT_REASON.PermissionDenied);
    assert.match(answer?.message ?? '', /^AccessDenied: User: x is not authorized/);
  });

  test('an internal failure is General Failure without its cause, and logged', async () => {
    const { s, logged } = session(() => new KmsError('Internal', 'disk on fire at /var/lib/arca'));
    const [answer] = items(await s.answer(request([item('Activate', [text(TAG.UniqueIdentifier, 'k')])]), peer));
    assert.equal(answer?.reason, RESULT_REASON.GeneralFailure);
    assert.doesNotMatch(answer?.message ?? '', /disk on fire/);
    assert.equal(logged.length, 0, 'a KmsError from the pipeline was already logged by it');
  });

  test('a batch: the ID Placeholder carries Create\'s id to Activate; a failure stops the batch unless Continue is asked', async () => {
    const { s, calls } = session((target) => (target === 'ArcaService.CreateManagedKey' ? created : target === 'ArcaService.RevokeKey' ? new KmsError('InvalidKeyState', 'no') : {}));
    const batch = [item('Create', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), structure(TAG.TemplateAttribute, aes256)]), item('Activate', []), item('Revoke', [structure(TAG.RevocationReason, [enumeration(TAG.RevocationReasonCode, 1)])]), item('Activate', [])];
    const stopped = items(await s.answer(request(batch), peer));
    assert.deepEqual(stopped.map((i) => i.status), [0, 0, 1]);
    assert.deepEqual(calls[1]?.input, { KeyId: created.KeyMetadata.KeyId });
    calls.length = 0;
    const continued = items(await s.answer(request(batch, [1, 2], [enumeration(TAG.BatchErrorContinuationOption, 1)]), peer));
    assert.deepEqual(continued.map((i) => i.status), [0, 0, 1, 0]);
  });

  test('Query and DiscoverVersions of a caller the pipeline does not authenticate are refused', async () => {
    const { s } = session(() => new KmsError('MissingAuthentication', 'the certificate maps to no principal'));
    const [answer] = items(await s.answer(request([item('Query', [enumeration(TAG.QueryFunction, QUERY_FUNCTION.QueryOperations)])]), peer));
    assert.equal(answer?.reason, RESULT_REASON.AuthenticationNotSuccessful);
  });

  test('DiscoverVersions, Query and an unknown operation', async () => {
    const { s, calls } = session();
    const [versions, query, unknown] = items(
      await s.answer(request([item('DiscoverVersions', []), item('Query', [enumeration(TAG.QueryFunction, QUERY_FUNCTION.QueryOperations), enumeration(TAG.QueryFunction, QUERY_FUNCTION.QueryServerInformation)]), [enumeration(TAG.Operation, 0x99)]], [1, 2], [enumeration(TAG.BatchErrorContinuationOption, 1)]), peer),
    );
    assert.equal(versions?.payload?.value.length, 7);
    const ops = (query?.payload?.value ?? []).filter((c) => c.tag === TAG.Operation).map((c) => (c.type === 'Enumeration' ? c.value : -1));
    assert.deepEqual(ops.sort((a, b) => a - b), Object.keys(HANDLERS).filter((k) => k !== 'SetAttribute').map((k) => OPERATION[k as keyof typeof OPERATION]).sort((a, b) => a - b), 'every operation but 2.0\'s SetAttribute, to a 1.2 client');
    assert.ok(query?.payload?.value.some((c) => c.tag === TAG.VendorIdentification && c.type === 'TextString' && c.value === 'Arca'));
    assert.equal(unknown?.reason, RESULT_REASON.OperationNotSupported);
    assert.deepEqual(calls.map((c) => [c.target, c.req.eventData?.['kmipOperation']]), [['AWSSecurityTokenServiceV20110615.GetCallerIdentity', 'DiscoverVersions'], ['AWSSecurityTokenServiceV20110615.GetCallerIdentity', 'Query']], 'both are authenticated and recorded; an unknown operation reaches nothing');
  });

  test('an answer over the Maximum Response Size is Response Too Large', async () => {
    const { s } = session(() => ({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k', KeySpec: 'SYMMETRIC_DEFAULT', Material: SecretBytes.copyOf(Buffer.alloc(32, 7)) }));
    const [answer] = items(await s.answer(request([item('Get', [text(TAG.UniqueIdentifier, 'k')])], [1, 2], [integer(TAG.MaximumResponseSize, 64)]), peer));
    assert.equal(answer?.reason, RESULT_REASON.ResponseTooLarge);
  });

  test('fuzz: 10,000 malformed or mutated requests all get a decodable answer, and nothing throws', async () => {
    const { s } = session(() => created);
    const valid = request([item('Create', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), structure(TAG.TemplateAttribute, aes256)]), item('Get', [text(TAG.UniqueIdentifier, 'k')])]);
    const mutated = fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 4 })).map(([at, byte, n]) => {
      const copy = Uint8Array.from(valid);
      for (let i = 0; i < n && at + i < copy.length; i++) copy[at + i] = byte;
      return copy;
    });
    const truncated = fc.integer({ min: 0, max: valid.length }).map((n) => valid.slice(0, n));
    const random = fc.uint8Array({ maxLength: 512 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, truncated, random), async (frame) => {
        const answer = await s.answer(frame, peer);
        const root = decodeTtlv(answer);
        assert.equal(root.tag, TAG.ResponseMessage);
      }),
      { numRuns: 10_000 },
    );
  });
});
