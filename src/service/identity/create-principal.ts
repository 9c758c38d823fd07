import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { principalArn } from '../../core/arn.js';
import { principalForWire, principalName, PRINCIPAL_TYPES } from './principals.js';
import { tagList, toTags } from '../keys/tags.js';
import { newPrincipalId } from './bootstrap.js';
import { assumeRolePolicyDocument, maxSessionDuration, newRoleTrust } from './trust-policy.js';

export const createPrincipal = defineOperation({
  service: 'ArcaService',
  name: 'CreatePrincipal',
  description: 'Creates a principal (a user, role or service identity); a role may get its trust policy here.',
  effect: 'write',
  uses: ['clock', 'realm', 'principals'] as const,
  input: z.object({
    PrincipalName: principalName,
    PrincipalType: z.enum(PRINCIPAL_TYPES).optional().describe('The kind of principal to create (a user by default).'),
    Tags: tagList.optional().describe('Tags (TagKey and TagValue pairs) to attach to the principal.'),
    AssumeRolePolicyDocument: assumeRolePolicyDocument.optional(),
    MaxSessionDuration: maxSessionDuration.optional(),
  }),
  conditions: (c) => [c.requestTags((i) => i.Tags)],
  keys: {},
  async execute(input, _ctx, deps) {
    if ((await deps.principals.findPrincipalByName(input.PrincipalName)) !== undefined) {
      throw new KmsError('AlreadyExists', `A principal named ${input.PrincipalName} already exists.`);
    }
    const type = input.PrincipalType ?? 'user';
    if (type !== 'role' && (input.AssumeRolePolicyDocument !== undefined || input.MaxSessionDuration !== undefined)) {
      throw new KmsError('ValidationFailed', 'AssumeRolePolicyDocument and MaxSessionDuration apply to roles only (PrincipalType role).');
    }
    const tags = toTags(input.Tags ?? []);
    const record = { id: newPrincipalId(type), type, name: input.PrincipalName, arn: principalArn(deps.realm, type, input.PrincipalName), createdAt: deps.clock.now() };
    await deps.principals.createPrincipal(record);
    if (tags.length > 0) await deps.principals.putPrincipalTags(record.id, tags);
    if (input.AssumeRolePolicyDocument !== undefined) await deps.principals.putRoleTrust(await newRoleTrust(deps, record, input.AssumeRolePolicyDocument, input.MaxSessionDuration));
    return { Principal: principalForWire(record) };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName, principalType: i.PrincipalType ?? 'user', tagKeys: i.Tags?.map((t) => t.TagKey) }),
  auditResponse: (o) => ({ arn: o.Principal.Arn }),
});
