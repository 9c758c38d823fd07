import { z } from 'zod';
import { aliasArn, checkAliasName } from '../core/arn.js';
import { KmsError } from '../core/errors.js';
import { requiredKey } from './material.js';
import { defineOperation } from './operation.js';
import { keyIdParam, str } from './schemas.js';

export const createAlias = defineOperation({
  service: 'TrentService',
  name: 'CreateAlias',
  action: 'kms:CreateAlias',
  readOnly: false,
  input: z.object({ AliasName: str(1, 256), TargetKeyId: keyIdParam }),
  keys: [{ ref: (i) => i.TargetKeyId, access: 'manage', allowAlias: false }],
  async execute(input, ctx, deps) {
    checkAliasName(input.AliasName);
    const key = requiredKey(ctx.keys, 0).record;
    if (await deps.keys.getAlias(input.AliasName)) {
      throw new KmsError('AlreadyExists', `An alias with the name ${aliasArn(deps.realm, input.AliasName)} already exists`);
    }
    const now = deps.clock.now();
    await deps.keys.createAlias({ name: input.AliasName, keyId: key.id, createdAt: now, updatedAt: now });
    return {};
  },
  auditRequest: (i) => ({ aliasName: i.AliasName, targetKeyId: i.TargetKeyId }),
});
