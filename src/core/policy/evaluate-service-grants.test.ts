import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantAllows, type EvaluationRequest, type GrantAllowance } from './evaluate.js';

const SOURCE = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
const SERVICE_ARN = 'arn:aws:iam::111122223333:user/logs.amazonaws.com';

function request(over: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return { principalArn: SERVICE_ARN, principalId: 'AIDALOGS', principalAccount: '111122223333', action: 'kms:Encrypt', resource: 'arn:aws:kms:eu-west-1:111122223333:key/k', context: new Map(), now: new Date(0), servicePrincipal: 'logs.amazonaws.com', sourceArn: SOURCE, ...over };
}

const serviceGrant: GrantAllowance = { granteePrincipal: 'logs.amazonaws.com', granteeId: undefined, granteeServicePrincipal: 'logs.amazonaws.com', operations: ['Encrypt', 'RetireGrant'], sourceArn: SOURCE };

describe('grantAllows: grants to service principals and SourceArn (ADR 0021)', () => {
  it('a grant to a service principal names the caller that is that service principal, for its SourceArn', () => {
    assert.equal(grantAllows([serviceGrant], request()), true);
  });

  it('another source ARN, or none, is not allowed', () => {
    assert.equal(grantAllows([serviceGrant], request({ sourceArn: `${SOURCE}-2` })), false);
    assert.equal(grantAllows([serviceGrant], request({ sourceArn: undefined })), false);
  });

  it('another service principal, or an IAM principal, is not the grantee (whatever its ARN or id)', () => {
    assert.equal(grantAllows([serviceGrant], request({ servicePrincipal: 'backup.arca.internal' })), false);
    assert.equal(grantAllows([serviceGrant], request({ servicePrincipal: undefined })), false);
    assert.equal(grantAllows([serviceGrant], request({ servicePrincipal: undefined, principalArn: 'logs.amazonaws.com' })), false);
  });

  it('SourceArn does not apply to RetireGrant (AWS)', () => {
    assert.equal(grantAllows([serviceGrant], request({ action: 'kms:RetireGrant', sourceArn: undefined })), true);
  });

  it('a SourceArn constraint on a grant to an IAM principal needs the same source ARN', () => {
    const g: GrantAllowance = { granteePrincipal: 'arn:aws:iam::111122223333:user/bob', granteeId: 'AIDABOB', operations: ['Encrypt'], sourceArn: SOURCE };
    const bob = { principalArn: 'arn:aws:iam::111122223333:user/bob', principalId: 'AIDABOB', servicePrincipal: undefined };
    assert.equal(grantAllows([g], request({ ...bob, sourceArn: undefined })), false);
    assert.equal(grantAllows([{ ...g, sourceArn: undefined }], request({ ...bob, sourceArn: undefined })), true);
  });
});
