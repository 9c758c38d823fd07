/**
 * The managed-key operations (ADR 0027) through the real HTTP protocol and pipeline: material goes in and
 * comes out as base64, dates come out as epoch seconds, and the AWS exceptions are the documented ones.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';

describe('managed keys over the AWS JSON protocol', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  const call = async (target: string, body: Record<string, unknown>) => {
    const res = await rawRequest(s, { target, body: JSON.stringify(body) });
    return { status: res.status, json: res.json() };
  };
  const ok = async (target: string, body: Record<string, unknown>) => {
    const res = await call(target, body);
    assert.equal(res.status, 200, `${target}: ${JSON.stringify(res.json)}`);
    return res.json;
  };

  it('registers HMAC material, exports the same bytes, and GenerateMac uses them; dates are epoch seconds', async () => {
    const material = randomBytes(64);
    const created = await ok('ArcaService.CreateManagedKey', { KeySpec: 'HMAC_512', Material: material.toString('base64'), Exportable: true, Activate: true, Aliases: ['alias/http-kmip'] });
    const meta = created['KeyMetadata'] as { KeyId: string; Arn: string; Origin: string; CreationDate: unknown };
    assert.equal(meta.Origin, 'EXTERNAL');
    assert.equal(typeof meta.CreationDate, 'number');

    const exported = await ok('ArcaService.ExportKeyMaterial', { KeyId: 'alias/http-kmip' });
    assert.equal(exported['Material'], material.toString('base64'));
    assert.equal(exported['KeyId'], meta.Arn);
    assert.equal(exported['KeySpec'], 'HMAC_512');

    const mac = await ok('TrentService.GenerateMac', { KeyId: meta.KeyId, Message: Buffer.from('kmip').toString('base64'), MacAlgorithm: 'HMAC_SHA_512' });
    assert.equal(mac['Mac'], createHmac('sha512', material).update('kmip').digest('base64'));

    await ok('ArcaService.RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'KeyCompromise', CompromiseOccurrenceDate: 1_767_225_600 });
    const described = await ok('ArcaService.DescribeManagedKey', { KeyId: meta.KeyId });
    assert.equal(described['Lifecycle'], 'Compromised');
    assert.equal(described['CompromiseDate'], 1_767_225_600);
    assert.equal(typeof described['ActivationDate'], 'number');
    assert.deepEqual(described['Aliases'], ['alias/http-kmip']);
    assert.equal((await ok('ArcaService.LocateKeys', { Aliases: ['alias/http-kmip'] }))['KeyIds'] instanceof Array, true);
  });

  it('answers the documented exceptions: not exportable, revoked key activation, reserved tags, wrong material length', async () => {
    const meta = (await ok('ArcaService.CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Activate: true }))['KeyMetadata'] as { KeyId: string; Arn: string };
    const notExportable = await call('ArcaService.ExportKeyMaterial', { KeyId: meta.KeyId });
    assert.equal(notExportable.json['__type'], 'UnsupportedOperationException');
    assert.equal(notExportable.json['message'], `Key ${meta.Arn} is not exportable: only keys created or registered as exportable (arca:Exportable) can be exported`);
    await ok('ArcaService.RevokeKey', { KeyId: meta.KeyId, RevocationReason: 'Superseded' });
    const activate = await call('ArcaService.ActivateKey', { KeyId: meta.KeyId });
    assert.equal(activate.json['__type'], 'KMSInvalidStateException');
    assert.equal(activate.json['message'], `${meta.Arn} is Deactivated: a revoked key cannot be activated.`);
    const tag = await call('TrentService.TagResource', { KeyId: meta.KeyId, Tags: [{ TagKey: 'arca:Lifecycle', TagValue: 'Active' }] });
    assert.equal(tag.json['__type'], 'TagException');
    assert.equal(tag.json['message'], 'Tags beginning with arca: are reserved');
    const short = await call('ArcaService.CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Material: randomBytes(16).toString('base64') });
    assert.equal(short.status, 400);
    assert.equal(short.json['__type'], 'ValidationException');
  });
});
