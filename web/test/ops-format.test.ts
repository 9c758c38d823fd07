import { describe, expect, it } from 'vitest';
import { executorOf, mayDecide, mayExecute } from '../src/lib/ops-approvals';
import { approvalStatusClass, formatTime, severityClass, shortArn } from '../src/lib/ops-format';

describe('ops-format', () => {
  it('formats epoch seconds (AWS JSON) and ISO strings (ListAlerts) the same way, in UTC', () => {
    expect(formatTime(1700000000)).toBe('2023-11-14 22:13:20 UTC');
    expect(formatTime('2023-11-14T22:13:20.000Z')).toBe('2023-11-14 22:13:20 UTC');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('not a time')).toBe('not a time');
  });
  it('shortens ARNs to their resource part', () => {
    expect(shortArn('arn:aws:iam::111122223333:user/alice')).toBe('user/alice');
    expect(shortArn('arn:aws:kms:us-east-1:111122223333:key/abc')).toBe('key/abc');
    expect(shortArn('alice')).toBe('alice');
    expect(shortArn(undefined)).toBe('—');
  });
  it('maps severities and statuses to badges', () => {
    expect(severityClass('high')).toBe('badge badge-danger');
    expect(severityClass('medium')).toBe('badge badge-warn');
    expect(severityClass('low')).toBe('badge');
    expect(approvalStatusClass('Pending')).toBe('badge badge-warn');
    expect(approvalStatusClass('Approved')).toBe('badge badge-ok');
    expect(approvalStatusClass('Denied')).toBe('badge badge-danger');
  });
});

describe('ops-approvals', () => {
  const alice = 'arn:aws:iam::111122223333:user/alice';
  const bob = 'arn:aws:iam::111122223333:user/bob';
  const base = { ApprovalId: 'apr-1', RuleName: 'r', Operation: 'ScheduleKeyDeletion', Parameters: {}, KeyArns: [], RequesterArn: alice, Approvals: 1, Decisions: [{ ApproverArn: bob, Decision: 'Approve', Reason: 'ok', DecidedAt: 1 }], CreatedAt: 1, ExpiresAt: 2 };
  it('offers Execute to the requester by default, to the completing approver when the rule says so', () => {
    expect(mayExecute({ ...base, Status: 'Approved', Executor: 'Requester' }, alice)).toBe(true);
    expect(mayExecute({ ...base, Status: 'Approved', Executor: 'Requester' }, bob)).toBe(false);
    expect(executorOf({ ...base, Status: 'Approved', Executor: 'Approver' })).toBe(bob);
    expect(mayExecute({ ...base, Status: 'Pending' }, alice)).toBe(false);
  });
  it('offers a decision only on a Pending request the caller has not decided', () => {
    expect(mayDecide({ ...base, Status: 'Pending' }, alice).offer).toBe(true);
    expect(mayDecide({ ...base, Status: 'Pending' }, bob)).toEqual({ offer: false, why: 'You decided this request already.' });
    expect(mayDecide({ ...base, Status: 'Denied' }, alice).offer).toBe(false);
  });
});
