import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MfaDeviceRecord } from '../../core/mfa.js';
import { at, principalRecord, T0, withStore, type StoreFactory } from './fixture.js';

function device(principalId: string, over: Partial<MfaDeviceRecord> = {}): MfaDeviceRecord {
  return {
    principalId,
    serialNumber: `arn:aws:iam::111122223333:mfa/${principalId}`,
    wrappedSecret: Buffer.from(`seed-${principalId}`),
    domainKeyVersion: 1,
    createdAt: T0,
    lastTimeStep: -1,
    ...over,
  };
}

/** The MfaDeviceStore part of the PrincipalStore port (core/mfa.ts): virtual MFA devices and their replay guard (issue 17). */
export function mfaDeviceStoreContract(factory: StoreFactory): void {
  describe('PrincipalStore: MFA devices', () => {
    it('stores a device as given, one per principal, for existing principals only; deletes it', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      assert.equal(await s.principals.getMfaDevice('AIDAALICE'), undefined);
      const d = device('AIDAALICE');
      await s.principals.createMfaDevice(d);
      assert.deepEqual(await s.principals.getMfaDevice('AIDAALICE'), d);
      await assert.rejects(s.principals.createMfaDevice(device('AIDAALICE', { serialNumber: 'other', createdAt: at(1) })), 'a second device is refused');
      assert.equal((await s.principals.getMfaDevice('AIDAALICE'))?.serialNumber, d.serialNumber);
      await assert.rejects(s.principals.createMfaDevice(device('AIDANOBODY')), 'a device belongs to an existing principal');
      assert.equal(await s.principals.deleteMfaDevice('AIDAALICE'), true);
      assert.equal(await s.principals.deleteMfaDevice('AIDAALICE'), false);
      assert.equal(await s.principals.getMfaDevice('AIDAALICE'), undefined);
    }));

    it('accepts only a time step later than the last accepted one (replay guard)', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.createMfaDevice(device('AIDAALICE'));
      const step = 59_000_000;
      assert.equal(await s.principals.acceptMfaTimeStep('AIDAALICE', step), true);
      assert.equal(await s.principals.acceptMfaTimeStep('AIDAALICE', step), false, 'the same step again is a replay');
      assert.equal(await s.principals.acceptMfaTimeStep('AIDAALICE', step - 1), false, 'an older step is refused');
      assert.equal((await s.principals.getMfaDevice('AIDAALICE'))?.lastTimeStep, step);
      assert.equal(await s.principals.acceptMfaTimeStep('AIDAALICE', step + 1), true);
      assert.equal(await s.principals.acceptMfaTimeStep('AIDANOBODY', step + 5), false, 'no device, nothing accepted');
    }));

    it('goes with its principal', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.createMfaDevice(device('AIDAALICE'));
      await s.principals.deletePrincipal('AIDAALICE');
      assert.equal(await s.principals.getMfaDevice('AIDAALICE'), undefined);
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.createMfaDevice(device('AIDAALICE'));
    }));
  });
}

/** MFA seeds are rewrapped on a root rotation like access-key secrets (RewrapStore, kind `mfa-device`). */
export function mfaDeviceRewrapContract(factory: StoreFactory): void {
  describe('RewrapStore: MFA device seeds', () => {
    it('lists a seed under an older domain key version and replaces its wrapping with compare-and-set', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.createMfaDevice(device('AIDAALICE', { lastTimeStep: 7 }));
      const stale = (await s.rewrap.listStale(2, 100)).filter((r) => r.kind === 'mfa-device');
      assert.deepEqual(stale, [{ kind: 'mfa-device', id: 'AIDAALICE', version: 0, keyId: '', domainKeyVersion: 1, wrapped: Buffer.from('seed-AIDAALICE') }]);
      const row = stale[0]!;
      assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from('rewrapped') }), true);
      assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from('again') }), false, 'changed since read');
      const d = await s.principals.getMfaDevice('AIDAALICE');
      assert.deepEqual([d?.domainKeyVersion, d?.wrappedSecret, d?.lastTimeStep], [2, Buffer.from('rewrapped'), 7]);
      assert.deepEqual((await s.rewrap.listStale(2, 100)).filter((r) => r.kind === 'mfa-device'), []);
    }));
  });
}
