import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../../test/helpers/operation-harness.js';
import type { SecretBytes } from '../../../crypto/secret-bytes.js';
import type { SecretText } from '../../../crypto/secret-text.js';
import { totpCode, totpSeedFromBase32 } from '../../../crypto/totp.js';
import { MFA_FAILED_MESSAGE } from '../../../core/mfa.js';

const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const ROLE = 'arn:aws:iam::111122223333:role/needs-mfa';

describe('MFA devices: EnableMfaDevice, DisableMfaDevice, and STS codes (issue 17)', () => {
  let h: Harness;
  let alice: HarnessPrincipal;
  let seed: SecretBytes;
  const code = (offsetMs = 0) => totpCode(seed, new Date(h.clock.now().getTime() + offsetMs));
  const sessionToken = (extra: Record<string, unknown>) => h.call('GetSessionToken', { DurationSeconds: 900, ...extra }, { as: alice });
  const assertMfaDenied = (r: Awaited<ReturnType<typeof sessionToken>>, why: string) => {
    assert.equal(r.error?.code, 'AccessDenied', why);
    assert.equal(r.error?.message, MFA_FAILED_MESSAGE, why);
  };

  before(async () => {
    h = await harness();
    alice = await h.principal('alice');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }] };
    await h.ok('CreatePrincipal', { PrincipalName: 'needs-mfa', PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust) }, { service: 'ArcaService' });
  });
  after(async () => {
    seed?.dispose();
    await h.close();
  });

  it('enables a device once: serial number, base32 seed and otpauth URI, listed by GetPrincipal; a second is refused', async () => {
    const out = (await h.ok('EnableMfaDevice', { PrincipalName: 'alice' }, { service: 'ArcaService' })) as { MfaDevice: { SerialNumber: string; Base32StringSeed: SecretText; OtpauthUri: SecretText } };
    assert.equal(out.MfaDevice.SerialNumber, SERIAL);
    const b32 = out.MfaDevice.Base32StringSeed.expose().toString('utf8');
    assert.match(b32, /^[A-Z2-7]{32}$/);
    assert.match(out.MfaDevice.OtpauthUri.expose().toString('utf8'), new RegExp(`^otpauth://totp/.*secret=${b32}`));
    seed = totpSeedFromBase32(b32);
    const got = (await h.ok('GetPrincipal', { PrincipalName: 'alice' }, { service: 'ArcaService' })) as { Principal: { MfaDevices: { SerialNumber: string }[] } };
    assert.deepEqual(got.Principal.MfaDevices.map((d) => d.SerialNumber), [SERIAL]);
    assert.equal((await h.call('EnableMfaDevice', { PrincipalName: 'alice' }, { service: 'ArcaService' })).error?.code, 'AlreadyExists');
    assert.doesNotMatch(JSON.stringify(h.lastEvent()), new RegExp(b32), 'the seed is not audited');
  });

  it('GetSessionToken accepts the current code once: a replay, an older step, a wrong code or serial are refused', async () => {
    const ok = await sessionToken({ SerialNumber: SERIAL, TokenCode: code() });
    assert.equal(ok.error, undefined, ok.error?.message);
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: code() }), 'the same code again (replay)');
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: code(-30_000) }), 'the previous step, older than the one used');
    h.advance(30_000);
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: wrong }), 'a wrong code');
    assertMfaDenied(await sessionToken({ SerialNumber: 'arn:aws:iam::111122223333:mfa/bob', TokenCode: code() }), 'another serial number');
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL }), 'a serial number without a code');
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: code(90_000) }), 'three steps ahead');
    assert.equal((await sessionToken({ SerialNumber: SERIAL, TokenCode: code(30_000) })).error, undefined, 'the next step (clock drift) is accepted');
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: code() }), 'the current step, older than the accepted next one');
    assert.equal((await sessionToken({ TokenCode: '12345x' })).error?.code, 'ValidationFailed');
  });

  it('a trust policy requiring MFA (Bool aws:MultiFactorAuthPresent, NumericLessThan aws:MultiFactorAuthAge) lets the role be assumed only with a code', async () => {
    h.advance(60_000);
    const without = await h.call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'mfa' }, { as: alice });
    assert.equal(without.error?.code, 'AccessDenied');
    const withMfa = await h.call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'mfa', SerialNumber: SERIAL, TokenCode: code() }, { as: alice });
    assert.equal(withMfa.error, undefined, withMfa.error?.message);
    h.advance(30_000);
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    assert.equal((await h.call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'mfa', SerialNumber: SERIAL, TokenCode: wrong }, { as: alice })).error?.message, MFA_FAILED_MESSAGE);
  });

  it('DisableMfaDevice removes the device: its codes are refused, and a new device can be enabled', async () => {
    h.advance(60_000);
    await h.ok('DisableMfaDevice', { PrincipalName: 'alice' }, { service: 'ArcaService' });
    assertMfaDenied(await sessionToken({ SerialNumber: SERIAL, TokenCode: code() }), 'no device');
    assert.equal((await h.call('DisableMfaDevice', { PrincipalName: 'alice' }, { service: 'ArcaService' })).error?.code, 'KeyNotFound');
    const got = (await h.ok('GetPrincipal', { PrincipalName: 'alice' }, { service: 'ArcaService' })) as { Principal: { MfaDevices: unknown[] } };
    assert.deepEqual(got.Principal.MfaDevices, []);
    await h.ok('EnableMfaDevice', { PrincipalName: 'alice' }, { service: 'ArcaService' });
  });
});
