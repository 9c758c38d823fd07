import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyRecord } from '../key.js';
import { buildContext, encryptionContextKeys, isTimeZone, localTime } from './context.js';

const principal = { id: 'p', type: 'user' as const, name: 'alice', arn: 'arn:aws:iam::111122223333:user/alice', account: '111122223333' };
const key: KeyRecord = { id: 'k', region: 'us-east-1', createdAt: new Date(0), description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy: '{}' };
const time = new Date('2026-01-05T21:30:00Z'); // Monday 22:30 in Paris, Tuesday 06:30 in Tokyo

function ctx(extra: Partial<Parameters<typeof buildContext>[0]> = {}) {
  return buildContext({
    principal,
    principalTags: [{ key: 'team', value: 'oncology' }],
    request: { sourceIp: '10.1.2.3', userAgent: 'aws-sdk-js/3', secureTransport: false, time },
    region: 'eu-west-3',
    timeZone: 'Europe/Paris',
    operation: {},
    ...extra,
  });
}

describe('request context', () => {
  it('carries the global aws: keys from the transport and the principal', () => {
    const c = ctx();
    assert.deepEqual(c.get('aws:sourceip'), ['10.1.2.3']);
    assert.deepEqual(c.get('aws:useragent'), ['aws-sdk-js/3']);
    assert.deepEqual(c.get('aws:securetransport'), ['false']);
    assert.deepEqual(c.get('aws:currenttime'), ['2026-01-05T21:30:00.000Z']);
    assert.deepEqual(c.get('aws:epochtime'), [String(time.getTime() / 1000)]);
    assert.deepEqual(c.get('aws:principalarn'), [principal.arn]);
    assert.deepEqual(c.get('aws:principaltag/team'), ['oncology']);
    assert.equal(c.get('aws:multifactorauthpresent'), undefined, 'a long-term key: absent, as in AWS');
    assert.equal(c.get('aws:multifactorauthage'), undefined);
    assert.deepEqual(c.get('kms:calleraccount'), ['111122223333']);
    assert.deepEqual(c.get('arca:region'), ['eu-west-3']);
  });

  it('aws:MultiFactorAuthPresent is false for a session without MFA; with MFA true, and aws:MultiFactorAuthAge counts seconds', () => {
    const session = { kind: 'SessionToken' as const, sessionName: '', issuerArn: principal.arn, issuedAt: time, expiresAt: new Date(time.getTime() + 900_000), tags: [], transitiveTagKeys: [] };
    const plain = ctx({ principal: { ...principal, session } });
    assert.deepEqual(plain.get('aws:multifactorauthpresent'), ['false']);
    assert.equal(plain.get('aws:multifactorauthage'), undefined);
    const mfa = ctx({ principal: { ...principal, session: { ...session, mfaAuthenticatedAt: new Date(time.getTime() - 125_500) } } });
    assert.deepEqual(mfa.get('aws:multifactorauthpresent'), ['true']);
    assert.deepEqual(mfa.get('aws:multifactorauthage'), ['125']);
  });

  it('carries the arca:ClientCert* keys of a verified client certificate, and none without one', () => {
    const clientCertificate = { verified: true, subject: 'O=Example,CN=app', issuer: 'CN=ca', sans: { uri: ['spiffe://example.org/app'], dns: ['app.example.org'], email: [], ip: [] }, fingerprint: 'AA:BB' };
    const c = ctx({ principal: { ...principal, clientCertificate } });
    assert.deepEqual(c.get('arca:clientcertsubject'), ['O=Example,CN=app']);
    assert.deepEqual(c.get('arca:clientcertissuer'), ['CN=ca']);
    assert.deepEqual(c.get('arca:clientcertfingerprint'), ['AA:BB']);
    assert.deepEqual(c.get('arca:clientcertsan'), ['spiffe://example.org/app', 'app.example.org']);
    assert.equal(ctx().get('arca:clientcertsan'), undefined);
    assert.equal(ctx({ principal: { ...principal, clientCertificate: { ...clientCertificate, verified: false } } }).get('arca:clientcertsubject'), undefined);
  });

  it('computes arca:LocalHour and arca:DayOfWeek in the configured time zone', () => {
    assert.deepEqual([ctx().get('arca:localhour'), ctx().get('arca:dayofweek')], [['22'], ['Mon']]);
    const tokyo = ctx({ timeZone: 'Asia/Tokyo' });
    assert.deepEqual([tokyo.get('arca:localhour'), tokyo.get('arca:dayofweek')], [['6'], ['Tue']]);
    assert.deepEqual(localTime(new Date('2026-01-05T00:00:00Z'), 'UTC'), { hour: 0, day: 'Mon' });
  });

  it('adds the key keys (spec, usage, origin, tags, aliases) and never kms:ViaService', () => {
    const c = ctx({ key: { record: key, tags: [{ key: 'env', value: 'prod' }], aliases: ['alias/a', 'alias/b'] } });
    assert.deepEqual(c.get('kms:keyspec'), ['SYMMETRIC_DEFAULT']);
    assert.deepEqual(c.get('kms:keyusage'), ['ENCRYPT_DECRYPT']);
    assert.deepEqual(c.get('kms:keyorigin'), ['AWS_KMS']);
    assert.deepEqual(c.get('aws:resourcetag/env'), ['prod']);
    assert.deepEqual(c.get('kms:resourcealiases'), ['alias/a', 'alias/b']);
    assert.equal(c.get('kms:viaservice'), undefined);
  });

  it("keeps the key's own kms:KeySpec over a request member of the same name (GenerateDataKey's KeySpec)", () => {
    const c = ctx({ key: { record: key, tags: [], aliases: [] }, operation: { 'kms:KeySpec': 'AES_256' } });
    assert.deepEqual(c.get('kms:keyspec'), ['SYMMETRIC_DEFAULT']);
  });

  it('turns an encryption context into kms:EncryptionContext:<k> and kms:EncryptionContextKeys', () => {
    assert.deepEqual(encryptionContextKeys({ Department: 'IT', Purpose: 'x' }), {
      'kms:EncryptionContextKeys': ['Department', 'Purpose'],
      'kms:EncryptionContext:Department': 'IT',
      'kms:EncryptionContext:Purpose': 'x',
    });
    assert.deepEqual(encryptionContextKeys({}), { 'kms:EncryptionContextKeys': [] });
  });

  it('keeps every value of encryption-context keys that differ only in case (one condition key, several values)', () => {
    const c = ctx({ operation: encryptionContextKeys({ tenant: 'restricted', TENANT: 'x', Tenant: 'restricted' }) });
    assert.deepEqual(c.get('kms:encryptioncontext:tenant'), ['restricted', 'x']);
    assert.deepEqual(c.get('kms:encryptioncontextkeys'), ['tenant', 'TENANT', 'Tenant']);
  });

  it('reads arca:DevicePosture and arca:RiskScore from principal tags of those names, absent otherwise', () => {
    const c = ctx({ principalTags: [{ key: 'arca:DevicePosture', value: 'managed' }, { key: 'arca:RiskScore', value: '20' }] });
    assert.deepEqual([c.get('arca:deviceposture'), c.get('arca:riskscore')], [['managed'], ['20']]);
    assert.equal(ctx().get('arca:deviceposture'), undefined);
  });

  it('knows IANA time zones', () => {
    assert.equal(isTimeZone('Europe/Paris'), true);
    assert.equal(isTimeZone('Mars/Olympus'), false);
  });
});
