import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';

/**
 * `ArcaService.Reset` (dev mode only, issue 20): empties the state between the tests of a suite, as
 * moto's `POST /moto-api/reset` does: every key, alias, grant, approval rule and request, and every
 * principal but the caller and the bootstrap administrator. The audit trail stays (the reset is one of
 * its events), and so do the root and domain keys. `arca server` refuses it: its composition has no dev
 * mode. With `arca dev --seed`, `POST /moto-api/reset` applies the seed file again after the reset.
 */
export const reset = defineOperation({
  service: 'ArcaService',
  name: 'Reset',
  description: 'Dev mode only: deletes every key, alias, grant, approval and principal except the caller and the bootstrap administrator. The audit trail stays.',
  effect: 'write',
  uses: ['dev', 'hierarchy'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, ctx, deps) {
    if (deps.dev === undefined) {
      throw new KmsError('UnsupportedOperation', 'ArcaService.Reset is available in dev mode only (arca dev); this server runs arca server.');
    }
    const keep = [...new Set([ctx.principal.id, ...deps.dev.keptPrincipalIds()])];
    const counts = await deps.dev.state.wipe(keep);
    // Seeded keys may come back with the same ids: no material of a deleted key may stay cached.
    for (const keyId of deps.hierarchy.cachedKeyIds()) deps.hierarchy.forgetKey(keyId);
    return { KeysDeleted: counts.keys, PrincipalsDeleted: counts.principals };
  },
  auditRequest: () => ({}),
  auditResponse: (o) => ({ keysDeleted: o.KeysDeleted, principalsDeleted: o.PrincipalsDeleted }),
});
