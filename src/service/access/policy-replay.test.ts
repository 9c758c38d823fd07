import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEvent, type AuditEvent, type AuditIdentity } from '../../core/audit.js';
import { parsePolicy } from '../../core/policy/document.js';
import type { PrincipalRecord } from '../../core/principal.js';
import { isRecorded, replayRequest, unrecordedKey } from './policy-replay.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab';
const ALICE: PrincipalRecord = { id: 'AIDAALICE', type: 'user', name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice', createdAt: new Date(0) };
const DECRYPT = { action: 'kms:Decrypt', conditionKeys: ['kms:EncryptionContext:', 'kms:EncryptionContextKeys', 'kms:EncryptionAlgorithm'] };
const REENCRYPT = { action: 'kms:ReEncrypt', conditionKeys: ['kms:EncryptionContext:', 'kms:EncryptionContextKeys'] };

function event(fields: { eventName?: string; identity?: AuditIdentity; request?: Record<string, unknown>; response?: Record<string, unknown> }): AuditEvent {
  return auditEvent({
    eventTime: '2026-12-01T10:00:00.000Z',
    eventName: fields.eventName ?? 'Decrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.7',
    userAgent: 'test',
    userIdentity: fields.identity ?? { type: 'IAMUser', arn: ALICE.arn, accountId: '111122223333' },
    requestParameters: fields.request ?? {},
    responseElements: fields.response ?? null,
    requestID: 'r',
    eventID: 'e',
    resources: [{ ARN: KEY, type: 'AWS::KMS::Key' }],
    readOnly: true,
  });
}

describe('replaying a recorded request', () => {
  it('rebuilds the principal, the action and the recorded encryption context and algorithm', () => {
    const r = replayRequest(event({ request: { encryptionContext: { app: 'pay' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } }), DECRYPT, KEY, ALICE, '111122223333');
    assert.ok(r.ok);
    assert.equal(r.action, 'kms:Decrypt');
    assert.equal(r.principal.id, 'AIDAALICE');
    assert.deepEqual(r.encryptionContext, { app: 'pay' });
    assert.equal(r.context['kms:EncryptionContext:app'], 'pay');
    assert.ok(isRecorded('kms:EncryptionContext:app', r.recorded));
    assert.ok(isRecorded('KMS:EncryptionAlgorithm', r.recorded), 'condition keys ignore case');
  });

  it('a cryptographic event without a context recorded had an empty one', () => {
    const r = replayRequest(event({}), DECRYPT, KEY, ALICE, '111122223333');
    assert.ok(r.ok);
    assert.deepEqual(r.encryptionContext, {});
  });

  it('ReEncrypt is checked as ReEncryptFrom on its source key and ReEncryptTo on its destination', () => {
    const e = event({ eventName: 'ReEncrypt', request: { sourceEncryptionContext: { s: '1' }, destinationEncryptionContext: { d: '2' } }, response: { sourceKeyId: KEY, keyId: OTHER } });
    const from = replayRequest(e, REENCRYPT, KEY, ALICE, '111122223333');
    const to = replayRequest(e, REENCRYPT, OTHER, ALICE, '111122223333');
    assert.ok(from.ok && to.ok);
    assert.deepEqual([from.action, from.encryptionContext], ['kms:ReEncryptFrom', { s: '1' }]);
    assert.deepEqual([to.action, to.encryptionContext], ['kms:ReEncryptTo', { d: '2' }]);
    const refused = replayRequest(event({ eventName: 'ReEncrypt' }), REENCRYPT, KEY, ALICE, '111122223333');
    assert.deepEqual(refused, { ok: false, reason: 'which side of the ReEncrypt the key was is not recorded' });
  });

  it('answers why instead of guessing: unauthenticated, sessions, deleted principals, unknown operations', () => {
    const reason = (r: ReturnType<typeof replayRequest>) => (r.ok ? 'replayed' : r.reason);
    assert.match(reason(replayRequest(event({ identity: { type: 'Anonymous' } }), DECRYPT, KEY, undefined, '111122223333')), /unauthenticated/);
    const session: AuditIdentity = { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/s1', accountId: '111122223333' };
    assert.match(reason(replayRequest(event({ identity: session }), DECRYPT, KEY, ALICE, '111122223333')), /temporary credentials/);
    assert.match(reason(replayRequest(event({}), DECRYPT, KEY, undefined, '111122223333')), /no longer exists/);
    assert.match(reason(replayRequest(event({}), DECRYPT, KEY, { ...ALICE, arn: 'arn:aws:iam::111122223333:user/alice2' }, '111122223333')), /no longer exists/);
    assert.match(reason(replayRequest(event({ eventName: 'Frobnicate' }), undefined, KEY, ALICE, '111122223333')), /Frobnicate/);
  });

  it('a condition on a key the event does not record is named; recorded ones are not', () => {
    const r = replayRequest(event({}), DECRYPT, KEY, ALICE, '111122223333');
    assert.ok(r.ok);
    const policy = (condition: object) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: condition }] }), 'key');
    assert.equal(unrecordedKey([policy({ Bool: { 'aws:SecureTransport': 'true' } })], r.recorded), 'aws:SecureTransport');
    assert.equal(unrecordedKey([policy({ StringEquals: { 'kms:RequestAlias': 'alias/x' } })], r.recorded), 'kms:RequestAlias');
    assert.equal(unrecordedKey([policy({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), policy({ StringEquals: { 'kms:EncryptionContext:app': 'pay', 'aws:PrincipalTag/team': 'a' } })], r.recorded), undefined);
  });
});
