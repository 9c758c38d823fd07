import { z } from 'zod';
import { keyArn } from '../../core/arn.js';
import { defineOperation } from '../pipeline/operation.js';

/**
 * `ArcaService.ExportDestructionLedger` (`arca backup ledger --out FILE`): the unsealed server answers its
 * destruction ledger (core/destruction-ledger.ts): every destruction record of the store, the root's
 * fingerprint, signed with the audit trail key as a backup is. `arca backup restore --ledger` restores
 * the keys it names as destroyed (docs/backup.md). No secret is in it. Authenticated
 * (arca:ExportDestructionLedger).
 */
export const exportDestructionLedger = defineOperation({
  service: 'ArcaService',
  name: 'ExportDestructionLedger',
  description: 'Returns the signed ledger of every destroyed KMS key, which a restore of an older backup applies.',
  effect: 'read',
  uses: ['ledger', 'realm'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const { file, body, sha256 } = await deps.ledger.exportLedger((id) => keyArn(deps.realm, id));
    return {
      Ledger: file,
      Sha256: sha256,
      CreatedAt: new Date(body.createdAt),
      Destructions: body.destructions.length,
      RootKind: body.root.kind,
      RootFingerprint: body.root.fingerprint,
      SignerPublicKey: body.signer.publicKey,
    };
  },
  auditRequest: () => ({}),
  auditResponse: (o) => ({ destructions: o.Destructions, sha256: o.Sha256 }),
});
