import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApprovalDecision, ApprovalRequest, ApprovalRule } from '../../core/approval.js';
import { at, T0, userArn, withStore, type StoreFactory } from './fixture.js';

/** `apr-` and 32 hex digits, sorting by `n`. */
export const approvalId = (n: number): string => `apr-${n.toString(16).padStart(32, '0')}`;

/** A rule with every member set (the approver tag included). */
export function approvalRule(name: string, over: Partial<ApprovalRule> = {}): ApprovalRule {
  return {
    name,
    operations: ['ScheduleKeyDeletion', 'PutKeyPolicy'],
    keys: { keyArns: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'], aliases: ['alias/prod'], tags: [{ key: 'env', value: 'prod' }] },
    approvers: { principalArns: [userArn('bob'), 'arn:aws:iam::111122223333:role/security'], tag: { key: 'approver', value: 'yes' } },
    quorum: 2,
    requireMfa: true,
    executor: 'Requester',
    expiresAfterSeconds: 86_400,
    description: `rule ${name}`,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** A pending request created at `at(days)`. */
export function approvalRequest(n: number, days: number, over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    approvalId: approvalId(n),
    ruleName: 'deletions',
    operation: 'ScheduleKeyDeletion',
    // The input is replayed at execution: kept byte for byte (key order and spacing included).
    input: '{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab",  "PendingWindowInDays":7}',
    summary: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7, nested: { a: [1, 'two'] } },
    keyArns: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    requesterArn: userArn('alice'),
    requesterId: 'AIDAALICE',
    reason: 'decommission',
    status: 'Pending',
    createdAt: at(days),
    expiresAt: at(days + 1),
    decisions: [],
    executedAt: undefined,
    executorArn: undefined,
    ...over,
  };
}

function decision(approver: string, verdict: ApprovalDecision['decision'] = 'Approve', when = at(0.5)): ApprovalDecision {
  return { approverArn: userArn(approver), approverId: `AIDA${approver.toUpperCase()}`, decision: verdict, reason: `${approver} says ${verdict}`, at: when };
}

const ids = (rs: readonly ApprovalRequest[]): string[] => rs.map((r) => r.approvalId);

/** The ApprovalStore port (core/approval.ts, issue 18): rules, held requests, compare-and-set decisions and execution. */
export function approvalStoreContract(factory: StoreFactory): void {
  describe('ApprovalStore', () => {
    it('puts, replaces, gets, lists (by name) and deletes rules', withStore(factory, async (s) => {
      assert.equal(await s.approvals.getApprovalRule('deletions'), undefined);
      const full = approvalRule('deletions');
      const bare = approvalRule('b-policy', { keys: { keyArns: [], aliases: [], tags: [] }, approvers: { principalArns: [userArn('carol')], tag: undefined }, requireMfa: false, executor: 'Approver' });
      await s.approvals.putApprovalRule(full);
      await s.approvals.putApprovalRule(bare);
      assert.deepEqual(await s.approvals.getApprovalRule('deletions'), full);
      assert.deepEqual(await s.approvals.getApprovalRule('b-policy'), bare);
      const replaced = approvalRule('deletions', { quorum: 3, operations: ['DisableKey'], description: 'changed', updatedAt: at(2) });
      await s.approvals.putApprovalRule(replaced);
      assert.deepEqual(await s.approvals.getApprovalRule('deletions'), replaced);
      assert.deepEqual((await s.approvals.listApprovalRules()).map((r) => r.name), ['b-policy', 'deletions']);
      assert.equal(await s.approvals.deleteApprovalRule('deletions'), true);
      assert.equal(await s.approvals.deleteApprovalRule('deletions'), false);
      assert.deepEqual(await s.approvals.listApprovalRules(), [bare]);
    }));

    it('returns a created request as stored, input byte for byte; a taken id rejects and changes nothing', withStore(factory, async (s) => {
      const r = approvalRequest(1, 0);
      await s.approvals.createApprovalRequest(r);
      assert.deepEqual(await s.approvals.getApprovalRequest(r.approvalId), r);
      assert.equal((await s.approvals.getApprovalRequest(r.approvalId))?.input, r.input);
      await assert.rejects(s.approvals.createApprovalRequest(approvalRequest(1, 3, { reason: 'second' })));
      assert.deepEqual(await s.approvals.getApprovalRequest(r.approvalId), r);
      assert.equal(await s.approvals.getApprovalRequest(approvalId(9)), undefined);
      const decided = approvalRequest(2, 1, { status: 'Executed', decisions: [decision('bob')], executedAt: at(1.5), executorArn: userArn('alice') });
      await s.approvals.createApprovalRequest(decided);
      assert.deepEqual(await s.approvals.getApprovalRequest(decided.approvalId), decided);
    }));

    it('a request outlives the rule that held it', withStore(factory, async (s) => {
      await s.approvals.putApprovalRule(approvalRule('deletions'));
      await s.approvals.createApprovalRequest(approvalRequest(1, 0));
      await s.approvals.deleteApprovalRule('deletions');
      assert.equal((await s.approvals.getApprovalRequest(approvalId(1)))?.ruleName, 'deletions');
    }));

    it('lists requests newest first, by status, at most `limit`, created before `before`', withStore(factory, async (s) => {
      // Created out of id order; 3 and 4 at the same time (the later id first).
      for (const [n, days, status] of [[1, 2, 'Pending'], [2, 0, 'Denied'], [3, 5, 'Pending'], [4, 5, 'Approved'], [5, 1, 'Pending']] as const) {
        await s.approvals.createApprovalRequest(approvalRequest(n, days, { status }));
      }
      assert.deepEqual(ids(await s.approvals.listApprovalRequests({ limit: 10 })), [approvalId(4), approvalId(3), approvalId(1), approvalId(5), approvalId(2)]);
      assert.deepEqual(ids(await s.approvals.listApprovalRequests({ limit: 2 })), [approvalId(4), approvalId(3)]);
      assert.deepEqual(ids(await s.approvals.listApprovalRequests({ status: 'Pending', limit: 10 })), [approvalId(3), approvalId(1), approvalId(5)]);
      assert.deepEqual(ids(await s.approvals.listApprovalRequests({ status: 'Pending', limit: 10, before: at(5) })), [approvalId(1), approvalId(5)]);
      assert.deepEqual(ids(await s.approvals.listApprovalRequests({ limit: 1, before: at(2) })), [approvalId(5)]);
      assert.deepEqual(await s.approvals.listApprovalRequests({ status: 'Executed', limit: 10 }), []);
      assert.deepEqual(await s.approvals.listApprovalRequests({ limit: 0 }), []);
    }));

    it('decide: appends each approver once while Pending, sets the status asked for, refuses a non-Pending request', withStore(factory, async (s) => {
      await s.approvals.createApprovalRequest(approvalRequest(1, 0));
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('bob'), 'Pending'), true, 'a first approval keeps it Pending');
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('bob', 'Approve', at(0.6)), 'Approved'), false, 'the same approver again');
      assert.equal((await s.approvals.getApprovalRequest(approvalId(1)))?.status, 'Pending');
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('carol', 'Approve', at(0.7)), 'Approved'), true, 'the quorum approval');
      const approved = await s.approvals.getApprovalRequest(approvalId(1));
      assert.equal(approved?.status, 'Approved');
      assert.deepEqual(approved?.decisions, [decision('bob'), decision('carol', 'Approve', at(0.7))]);
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('dave'), 'Denied'), false, 'no longer Pending');
      assert.equal((await s.approvals.getApprovalRequest(approvalId(1)))?.decisions.length, 2);
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(9), 'Pending', decision('bob'), 'Pending'), false, 'unknown request');

      await s.approvals.createApprovalRequest(approvalRequest(2, 0));
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(2), 'Pending', decision('dave', 'Deny'), 'Denied'), true, 'a deny');
      const denied = await s.approvals.getApprovalRequest(approvalId(2));
      assert.deepEqual([denied?.status, denied?.decisions], ['Denied', [decision('dave', 'Deny')]]);
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(2), 'Pending', decision('bob'), 'Approved'), false, 'a denied request takes no more decisions');
    }));

    it('an approver id that only prefixes or contains a decided one is a different approver', withStore(factory, async (s) => {
      await s.approvals.createApprovalRequest(approvalRequest(1, 0));
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('bob'), 'Pending'), true);
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', { ...decision('bob'), approverId: 'AIDABO' }, 'Pending'), true);
      assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', { ...decision('bob'), approverId: 'AIDABOBBY' }, 'Pending'), true);
      assert.equal((await s.approvals.getApprovalRequest(approvalId(1)))?.decisions.length, 3);
    }));

    it('markApprovalExecuted succeeds once and only once, on an Approved request only', withStore(factory, async (s) => {
      await s.approvals.createApprovalRequest(approvalRequest(1, 0));
      assert.equal(await s.approvals.markApprovalExecuted(approvalId(1), at(0.9), userArn('alice')), false, 'still Pending');
      await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('bob'), 'Approved');
      assert.equal(await s.approvals.markApprovalExecuted(approvalId(1), at(0.9), userArn('alice')), true);
      assert.equal(await s.approvals.markApprovalExecuted(approvalId(1), at(0.95), userArn('bob')), false, 'already executed');
      const done = await s.approvals.getApprovalRequest(approvalId(1));
      assert.deepEqual([done?.status, done?.executedAt, done?.executorArn], ['Executed', at(0.9), userArn('alice')]);
      assert.equal(await s.approvals.markApprovalExecuted(approvalId(9), at(1), userArn('alice')), false, 'unknown request');
    }));

    it('of two concurrent executions exactly one succeeds; of two concurrent decisions by one approver, one', withStore(factory, async (s) => {
      await s.approvals.createApprovalRequest(approvalRequest(1, 0, { status: 'Approved' }));
      const runs = await Promise.all([s.approvals.markApprovalExecuted(approvalId(1), at(0.9), userArn('alice')), s.approvals.markApprovalExecuted(approvalId(1), at(0.9), userArn('bob'))]);
      assert.deepEqual(runs.filter(Boolean).length, 1, JSON.stringify(runs));
      await s.approvals.createApprovalRequest(approvalRequest(2, 0));
      const votes = await Promise.all([
        s.approvals.decideApprovalRequest(approvalId(2), 'Pending', decision('bob'), 'Pending'),
        s.approvals.decideApprovalRequest(approvalId(2), 'Pending', decision('bob', 'Deny'), 'Denied'),
      ]);
      assert.deepEqual(votes.filter(Boolean).length, 1, JSON.stringify(votes));
      assert.equal((await s.approvals.getApprovalRequest(approvalId(2)))?.decisions.length, 1);
    }));

    it('a failed unit of work undoes a created request, a decision and a rule change', withStore(factory, async (s) => {
      await s.approvals.putApprovalRule(approvalRule('deletions'));
      await s.approvals.createApprovalRequest(approvalRequest(1, 0));
      await assert.rejects(
        s.withTransaction(async () => {
          await s.approvals.createApprovalRequest(approvalRequest(2, 1));
          assert.equal(await s.approvals.decideApprovalRequest(approvalId(1), 'Pending', decision('bob'), 'Approved'), true);
          await s.approvals.putApprovalRule(approvalRule('deletions', { quorum: 5 }));
          throw new Error('rolled back');
        }),
      );
      assert.equal(await s.approvals.getApprovalRequest(approvalId(2)), undefined);
      assert.deepEqual(await s.approvals.getApprovalRequest(approvalId(1)), approvalRequest(1, 0));
      assert.equal((await s.approvals.getApprovalRule('deletions'))?.quorum, 2);
    }));
  });
}
