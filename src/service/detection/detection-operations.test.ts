import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, errorOf, outsider } from '../../../test/helpers/operation-spec.js';
import { alertEvent, type Alert } from './alert.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const A = { service: 'ArcaService' as const };

describe('anomaly alert and breaker operations', () => {
  let h: Harness;
  let keyArn: string;
  const alert = (id: string, over: Partial<Alert> = {}): Alert => ({
    id,
    rule: 'failure-burst',
    type: 'failureBurst',
    severity: 'high',
    time: h.clock.now(),
    principalArn: ALICE,
    keyArn,
    sourceIp: '192.0.2.1',
    summary: 'test alert',
    details: { count: 20 },
    ...over,
  });

  before(async () => {
    h = await harness();
    keyArn = arnOf(h, await h.key());
    await h.appendEvent(alertEvent(alert('00000000000000000000000001'), h.realm.region, 'r1'));
    await h.appendEvent(alertEvent(alert('00000000000000000000000002', { rule: 'new-source-network', type: 'newSourceNetwork', principalArn: BOB, keyArn: undefined, severity: 'medium' }), h.realm.region, 'r2'));
    await h.appendEvent(alertEvent(alert('00000000000000000000000003', { rule: 'decrypt-volume', type: 'decryptVolume' }), h.realm.region, 'r3'));
  });
  after(() => h.close());

  const ids = (out: Record<string, unknown>) => (out['Alerts'] as { alertId: string }[]).map((a) => a.alertId);

  it('ListAlerts reads the Alert events of the trail, newest first, filtered by rule, principal and key', async () => {
    assert.deepEqual(ids(await h.ok('ListAlerts', {}, A)), ['00000000000000000000000003', '00000000000000000000000002', '00000000000000000000000001']);
    assert.deepEqual(ids(await h.ok('ListAlerts', { Rule: 'failure-burst' }, A)), ['00000000000000000000000001']);
    assert.deepEqual(ids(await h.ok('ListAlerts', { Principal: BOB }, A)), ['00000000000000000000000002']);
    assert.deepEqual(ids(await h.ok('ListAlerts', { KeyId: keyArn.split('/')[1] }, A)), ['00000000000000000000000003', '00000000000000000000000001']);
    assertAudited(h, { eventName: 'ListAlerts', principal: h.admin });
  });

  it('ListAlerts pages with Marker/NextMarker', async () => {
    const first = await h.ok('ListAlerts', { Limit: 2 }, A);
    assert.deepEqual(ids(first), ['00000000000000000000000003', '00000000000000000000000002']);
    assert.equal(first['Truncated'], true);
    const second = await h.ok('ListAlerts', { Limit: 2, Marker: first['NextMarker'] }, A);
    assert.deepEqual(ids(second), ['00000000000000000000000001']);
    assert.equal(errorOf(await h.call('ListAlerts', { Marker: 'x' }, A)).code, 'InvalidMarker');
  });

  it('AcknowledgeAlert is audited with its note, and ListAlerts shows and filters by it', async () => {
    const out = await h.ok('AcknowledgeAlert', { AlertId: '00000000000000000000000001', Note: 'tested a broken client' }, A);
    assert.equal(out['Acknowledged'], true);
    const event = assertAudited(h, { eventName: 'AcknowledgeAlert', principal: h.admin });
    assert.deepEqual(event.requestParameters, { alertId: '00000000000000000000000001', note: 'tested a broken client' });
    const acked = (await h.ok('ListAlerts', { Acknowledged: true }, A))['Alerts'] as { alertId: string; acknowledgement: { by: string; note: string } }[];
    assert.deepEqual(acked.map((a) => a.alertId), ['00000000000000000000000001']);
    assert.equal(acked[0]?.acknowledgement.by, h.admin.arn);
    assert.equal(acked[0]?.acknowledgement.note, 'tested a broken client');
    assert.deepEqual(ids(await h.ok('ListAlerts', { Acknowledged: false }, A)), ['00000000000000000000000003', '00000000000000000000000002']);
  });

  it('AcknowledgeAlert of an id that is no alert is NotFound (and audited)', async () => {
    const some = h.events().find((e) => e.eventName === 'CreateKey');
    for (const id of ['nope', some?.eventID ?? '']) {
      assert.equal(errorOf(await h.call('AcknowledgeAlert', { AlertId: id }, A)).code, 'NotFound');
      assertAudited(h, { eventName: 'AcknowledgeAlert', errorCode: 'NotFound' });
    }
  });

  it('ReleaseBreaker ends a breaker (audited with it), after which the key works again; ListBreakers lists those in force', async () => {
    const keyId = keyArn.split('/')[1] ?? '';
    const b = h.breakers.trip({ action: 'block', keyArn, principalArn: h.admin.arn, rule: 'failure-burst', alertId: '00000000000000000000000001' });
    const refused = errorOf(await h.call('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') }));
    assert.equal(refused.code, 'AccessDenied');
    assert.match(refused.message, new RegExp(`Circuit breaker ${b.id} .*alert 00000000000000000000000001`));
    const listed = (await h.ok('ListBreakers', {}, A))['Breakers'] as { breakerId: string; principal: string }[];
    assert.deepEqual(listed.map((x) => [x.breakerId, x.principal]), [[b.id, h.admin.arn]]);
    const released = await h.ok('ReleaseBreaker', { BreakerId: b.id, Reason: 'false positive' }, A);
    assert.equal((released['Breaker'] as { breakerId: string }).breakerId, b.id);
    const event = assertAudited(h, { eventName: 'ReleaseBreaker', principal: h.admin });
    assert.deepEqual(event.requestParameters, { breakerId: b.id, reason: 'false positive' });
    assert.equal((event.responseElements?.['breaker'] as { breakerId: string }).breakerId, b.id);
    await h.ok('Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x') });
    assert.equal(errorOf(await h.call('ReleaseBreaker', { BreakerId: b.id }, A)).code, 'NotFound');
  });

  it('a caller without rights cannot list, acknowledge or release', async () => {
    const mallory = await outsider(h);
    const b = h.breakers.trip({ action: 'block', keyArn, rule: 'r', alertId: 'x' });
    for (const [op, input] of [['ListAlerts', {}], ['AcknowledgeAlert', { AlertId: '00000000000000000000000001' }], ['ListBreakers', {}], ['ReleaseBreaker', { BreakerId: b.id }]] as const) {
      assert.equal(errorOf(await h.call(op, input, { ...A, as: mallory })).code, 'AccessDenied', op);
    }
    assert.equal(h.breakers.list().length, 1);
    h.breakers.release(b.id);
  });
});
