import { z } from 'zod';
import { SecretText } from '../../crypto/secret-text.js';
import { KmsError } from '../../core/errors.js';
import { accessKeySecretBinding } from '../../core/bindings.js';
import { newAccessKeyId, newSecretAccessKey } from './bootstrap.js';
import { defineOperation } from '../pipeline/operation.js';
import { MAX_ACTIVE_ACCESS_KEYS, principalName, requirePrincipal } from './principals.js';

/**
 * Issues an access key pair. The secret is returned in this one answer and stored only wrapped under the
 * current domain key (bound to the access key id); no later call can show it again.
 */
export const createAccessKey = defineOperation({
  service: 'ArcaService',
  name: 'CreateAccessKey',
  description: 'Issues an access key pair for a principal; the secret is shown in this answer only.',
  effect: 'write',
  uses: ['clock', 'principals', 'keyring'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    const active = (await deps.principals.listAccessKeys(p.id)).filter((k) => k.status === 'Active');
    if (active.length >= MAX_ACTIVE_ACCESS_KEYS) {
      throw new KmsError('LimitExceeded', `Cannot exceed quota for active access keys per principal: ${MAX_ACTIVE_ACCESS_KEYS}.`);
    }
    const accessKeyId = newAccessKeyId();
    const secret = newSecretAccessKey();
    try {
      const wrapped = await deps.keyring.wrap(secret, accessKeySecretBinding(accessKeyId));
      const createdAt = deps.clock.now();
      await deps.principals.createAccessKey({ accessKeyId, principalId: p.id, status: 'Active', wrappedSecret: wrapped.wrapped, domainKeyVersion: wrapped.domainKeyVersion, createdAt });
      // The answer owns the secret from here: the transport writes it as text and then zeroes it.
      return { AccessKey: { PrincipalName: p.name, AccessKeyId: accessKeyId, Status: 'Active' as const, SecretAccessKey: SecretText.adopt(secret), CreateDate: createdAt } };
    } catch (e) {
      secret.dispose();
      throw e;
    }
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
  auditResponse: (o) => ({ accessKeyId: o.AccessKey.AccessKeyId }),
});
