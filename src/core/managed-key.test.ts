import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_STATES } from './key.js';
import { defaultManagedKeyPolicy, isExportable, isReservedTagKey, kmipLifecycle, lifecycleAfterRevocation, MANAGED_KEY_ACTIONS, parseDateTag, REVOCATION_REASONS } from './managed-key.js';

describe('the KMIP lifecycle of a key (ADR 0027)', () => {
  it('follows the key state, and the arca:Lifecycle tag only where the state leaves it open', () => {
    // Written out by hand: state × tag → lifecycle.
    const table: [string, string | undefined, string][] = [
      ['Enabled', undefined, 'Active'],
      ['Enabled', 'PreActive', 'Active'],
      ['Enabled', 'Compromised', 'Active'],
      ['Disabled', undefined, 'Deactivated'],
      ['Disabled', 'Active', 'Deactivated'],
      ['Disabled', 'PreActive', 'PreActive'],
      ['Disabled', 'Deactivated', 'Deactivated'],
      ['Disabled', 'Compromised', 'Compromised'],
      ['Disabled', 'garbage', 'Deactivated'],
      ['PendingDeletion', undefined, 'Destroyed'],
      ['PendingDeletion', 'Deactivated', 'Destroyed'],
      ['PendingDeletion', 'Compromised', 'DestroyedCompromised'],
      ['PendingImport', undefined, 'PreActive'],
      ['PendingImport', 'Compromised', 'PreActive'],
      ['Unavailable', 'PreActive', 'PreActive'],
      ['Unavailable', undefined, 'Deactivated'],
      ['Creating', 'Compromised', 'Compromised'],
      ['Creating', undefined, 'Deactivated'],
    ];
    for (const [state, tag, expected] of table) {
      const s = KEY_STATES.find((k) => k === state);
      assert.ok(s !== undefined);
      assert.equal(kmipLifecycle(s, tag), expected, `${state} with ${String(tag)}`);
    }
  });

  it('a revocation compromises the key for KeyCompromise and CACompromise, and a compromised key stays compromised', () => {
    for (const reason of REVOCATION_REASONS) {
      const compromise = reason === 'KeyCompromise' || reason === 'CACompromise';
      assert.equal(lifecycleAfterRevocation('Active', reason), compromise ? 'Compromised' : 'Deactivated', reason);
      assert.equal(lifecycleAfterRevocation('Deactivated', reason), compromise ? 'Compromised' : 'Deactivated', reason);
      assert.equal(lifecycleAfterRevocation('Compromised', reason), 'Compromised', reason);
    }
  });
});

describe('reserved managed-key tags', () => {
  it('reserves arca: in any case, and nothing else', () => {
    for (const k of ['arca:Exportable', 'ARCA:x', 'Arca:Lifecycle', 'arca:']) assert.ok(isReservedTagKey(k), k);
    for (const k of ['arca', 'xarca:y', 'aws:x', 'project', 'arca-x']) assert.ok(!isReservedTagKey(k), k);
  });

  it('a key is exportable only with arca:Exportable exactly true', () => {
    assert.ok(isExportable([{ key: 'arca:Exportable', value: 'true' }]));
    assert.ok(!isExportable([{ key: 'arca:Exportable', value: 'TRUE' }]));
    assert.ok(!isExportable([{ key: 'ARCA:EXPORTABLE', value: 'true' }]));
    assert.ok(!isExportable([]));
  });

  it('reads back ISO-8601 dates, and nothing else', () => {
    assert.equal(parseDateTag('2026-06-01T12:00:00.000Z')?.getTime(), Date.UTC(2026, 5, 1, 12));
    assert.equal(parseDateTag('yesterday'), undefined);
    assert.equal(parseDateTag(undefined), undefined);
  });

  it("the managed keys' default policy delegates kms:* and the managed-key actions to the account's identity policies", () => {
    const policy = JSON.parse(defaultManagedKeyPolicy('111122223333')) as { Statement: { Principal: { AWS: string }; Action: string[] }[] };
    assert.deepEqual(policy.Statement[0]?.Action, ['kms:*', ...MANAGED_KEY_ACTIONS]);
    assert.equal(policy.Statement[0]?.Principal.AWS, 'arn:aws:iam::111122223333:root');
  });
});
