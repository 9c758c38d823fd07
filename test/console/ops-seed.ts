/**
 * Seed data for the console's operations views (accessibility test, screenshots): an approval rule with a
 * held deletion, and an alert with its circuit breaker from a burst of decrypt failures.
 */
import assert from 'node:assert/strict';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { DevAppConfig } from '../../src/server/app.js';
import { rulesSchema } from '../../src/service/detection/rules.js';
import { docTemplate } from '../helpers/doc-templates.js';
import type { InProcessServer } from '../helpers/in-process.js';
import { adminCall, createTestPrincipal } from '../helpers/principals.js';

/** Server options: metrics on the main listener (no token), and a detection rule easy to trip (3 decrypt failures). */
export function opsServerOptions(): Pick<DevAppConfig, 'metrics' | 'detection'> {
  const rules = rulesSchema.parse([{ name: 'decrypt-failures', type: 'failureBurst', severity: 'high', threshold: 3, windowSeconds: 60, errorCodes: ['InvalidCiphertext'], action: { type: 'block', scope: 'principal' } }]);
  return { metrics: {}, detection: { enabled: true, settings: { rules, maxTracked: 1000 }, webhooks: [] } };
}

/** A pending approval request (alice's deletion of a production key) and an alert (eve's tampered decrypts). */
export async function seedOps(server: InProcessServer): Promise<{ approvalId: string; alertId: string }> {
  const governance = (name: string) => docTemplate('governance.md', name);
  const policy = { Version: '2012-10-17', Statement: ['key-administrator', 'approver'].flatMap((n) => governance(n)['Statement'] as object[]) };
  const alice = await createTestPrincipal(server, 'seed-alice', { tags: { 'arca-approver': 'keys' }, policy });
  await adminCall(server, 'PutApprovalRule', governance('rule-two-person-deletion'));
  const keyId = (await alice.client().send(new CreateKeyCommand({ Description: 'payments (production)', Tags: [{ TagKey: 'env', TagValue: 'prod' }] }))).KeyMetadata?.KeyId;
  const held = await alice.client().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })).then(() => '', (e: Error) => e.message);
  const approvalId = /apr-[0-9a-f]{32}/.exec(held)?.[0] ?? assert.fail(`the deletion was not held: ${held}`);

  const eve = await createTestPrincipal(server, 'seed-eve', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] } });
  const blob = (await eve.client().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('seed') }))).CiphertextBlob as Uint8Array;
  const tampered = Buffer.from(blob);
  tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
  for (let i = 0; i < 3; i++) await eve.client().send(new DecryptCommand({ CiphertextBlob: tampered })).catch(() => undefined);
  // The alert is written by the detector after the answer: wait for it in the trail.
  for (let i = 0; i < 250; i++) {
    const alerts = (await adminCall(server, 'ListAlerts', {}))['Alerts'] as { alertId: string }[];
    if (alerts[0] !== undefined) return { approvalId, alertId: alerts[0].alertId };
    await new Promise((r) => setTimeout(r, 20));
  }
  return assert.fail('no alert was raised');
}
