import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';

/**
 * `ArcaService.CreateBackup` (`arca backup create`): the unsealed server writes a backup of its whole
 * store into its configured `backup.dir` (docs/backup.md, ADR 0016): one consistent snapshot while it
 * keeps serving, key material still wrapped under the domain keys, the file encrypted under the root of
 * trust and signed with the audit trail key. Answers where the file is, its size, digest and counts;
 * the file itself stays on the server. Authenticated (arca:CreateBackup).
 */
export const createBackup = defineOperation({
  service: 'ArcaService',
  name: 'CreateBackup',
  description: 'Writes a signed, encrypted backup of the whole store into the server\'s backup directory.',
  effect: 'read',
  uses: ['backups'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const made = await deps.backups.create();
    return {
      Path: made.path,
      Bytes: made.bytes,
      Sha256: made.sha256,
      CreatedAt: new Date(made.header.createdAt),
      Engine: made.header.source.engine,
      RootKind: made.header.root.kind,
      RootFingerprint: made.header.root.fingerprint,
      SignerPublicKey: made.header.signer.publicKey,
      Counts: made.header.counts,
    };
  },
  auditRequest: () => ({}),
  auditResponse: (o) => ({ path: o.Path, bytes: o.Bytes, sha256: o.Sha256 }),
});
