import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { principalArn } from '../../core/arn.js';
import { principalForWire, principalName, PRINCIPAL_TYPES } from './principals.js';
import { tagList, toTags } from '../keys/tags.js';
import { newPrincipalId } from './bootstrap.js';

export const createPrincipal = defineOperation({
  service: 'ArcaService',
  name: 'CreatePrincipal',
  description: 'Creates a principal (a user or service identity) that access keys and identity policies attach to.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals'] as const,
  input: z.object({ PrincipalName: principalName, PrincipalType: z.enum(PRINCIPAL_TYPES).optional().describe('The kind of principal to create (a user by default).'), Tags: tagList.optional().describe('Tags (TagKey and TagValue pairs) to attach to the principal.') }),
  conditions: (c) => [c.requestTags((i) => i.Tags)],
  keys: {},
  async execute(input, _ctx, deps) {
    if ((await deps.principals.findPrincipalByName(input.PrincipalName)) !== undefined) {
      throw new KmsError('AlreadyExists', `A principal named ${input.PrincipalName} already exists.`);
    }
    const type = input.PrincipalType ?? 'user';
    const tags = toTags(input.Tags ?? []);
    const record = { id: newPrincipalId(type), type, name: input.PrincipalName, arn: principalArn(deps.realm, type, input.PrincipalName), createdAt: deps.clock.now() };
    await deps.principals.createPrincipal(record);
    if (tags.length > 0) await deps.principals.putPrincipalTags(record.id, tags);
    return { Principal: principalForWire(record) };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, principalType: i.PrincipalType ?? 'user', tagKeys: i.Tags?.map((t) => t.TagKey) }),
  auditResponse: (o) => ({ arn: o.Principal.Arn }),
});
