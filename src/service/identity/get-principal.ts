import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { principalForWire, principalName, requirePrincipal } from './principals.js';
import { tagsForWire } from '../keys/tags.js';

export const getPrincipal = defineOperation({
  service: 'ArcaService',
  name: 'GetPrincipal',
  description: 'Returns a principal: its name, type, ARN, tags, policy names and, for a role, its trust policy, and its MFA devices.',
  effect: 'read',
  uses: ['principals'] as const,
  input: z.object({ PrincipalName: principalName }),
  keys: {},
  async execute(input, _ctx, deps) {
    const p = await requirePrincipal(deps, input.PrincipalName);
    const [tags, policies, trust, mfa] = await Promise.all([
      deps.principals.listPrincipalTags(p.id),
      deps.principals.listPrincipalPolicies(p.id),
      deps.principals.getRoleTrust(p.id),
      deps.principals.getMfaDevice(p.id),
    ]);
    const MfaDevices = mfa === undefined ? [] : [{ SerialNumber: mfa.serialNumber, EnableDate: mfa.createdAt }];
    const role = trust === undefined ? {} : { AssumeRolePolicyDocument: trust.document, MaxSessionDuration: trust.maxSessionDuration };
    return { Principal: { ...principalForWire(p), Tags: tagsForWire(tags), PolicyNames: policies.map((x) => x.name), ...role, MfaDevices } };
  },
  auditRequest: (i) => ({ principalName: i.PrincipalName }),
});
