import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import type { ApprovalDecision } from '../../core/approval.js';
import { approvalId, approvalRequest } from '../contract/approval-store.contract.js';
import { PostgresDatabase } from './database.js';
import { PostgresApprovalStore } from './postgres-approval-store.js';

const AT = new Date('2026-01-01T12:00:00Z');
const decision = (approverId: string, verdict: ApprovalDecision['decision'] = 'Approve'): ApprovalDecision => ({
  approverArn: `arn:aws:iam::111122223333:user/${approverId}`,
  approverId,
  decision: verdict,
  reason: '',
  at: AT,
});

/**
 * Two nodes on one database (issue 18): node A writes inside an open transaction; node B's conflicting
 * compare-and-set is issued while A's is uncommitted, waits on A's row lock, and, once A commits, finds
 * the row changed and answers false. The contract suite's Promise.all races can pass by timing alone;
 * here B is known to have been waiting on A when A committed.
 */
describeWithPostgres('PostgresApprovalStore: compare-and-set across two nodes', (cluster) => {
  let a: PostgresDatabase | undefined;
  let b: PostgresDatabase | undefined;
  before(async () => {
    const url = cluster().url(await cluster().createDatabase());
    a = await PostgresDatabase.open({ url, pool: { max: 2 } });
    b = await PostgresDatabase.open({ url, pool: { max: 2 } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  const nodes = (): [PostgresDatabase, PostgresDatabase] => {
    if (a === undefined || b === undefined) throw new Error('not open');
    return [a, b];
  };

  /** Waits until some session of the database waits for a lock (B blocked on A's row). */
  async function untilBlocked(pg: PostgresDatabase): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const n = (await pg.pool.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]?.n ?? 0;
      if (n > 0) return;
      await sleep(25);
    }
    throw new Error('the second node never waited on the first');
  }

  /** Runs `first` on node A in a transaction held open until `second` (node B) is waiting on it; answers both results. */
  async function race(first: (s: PostgresApprovalStore) => Promise<boolean>, second: (s: PostgresApprovalStore) => Promise<boolean>): Promise<[boolean, boolean]> {
    const [pa, pb] = nodes();
    const [sa, sb] = [new PostgresApprovalStore(pa), new PostgresApprovalStore(pb)];
    let secondResult: Promise<boolean> | undefined;
    const firstResult = await pa.transactions.run(async () => {
      const r = await first(sa);
      secondResult = second(sb);
      await untilBlocked(pa);
      return r;
    });
    if (secondResult === undefined) throw new Error('unreachable');
    return [firstResult, await secondResult];
  }

  it('marks a request executed on one node only', async () => {
    const [pa] = nodes();
    await new PostgresApprovalStore(pa).createApprovalRequest(approvalRequest(1, 0, { status: 'Approved' }));
    const results = await race(
      (s) => s.markApprovalExecuted(approvalId(1), AT, 'arn:aws:iam::111122223333:user/alice'),
      (s) => s.markApprovalExecuted(approvalId(1), AT, 'arn:aws:iam::111122223333:user/bob'),
    );
    assert.deepEqual(results, [true, false]);
    assert.equal((await new PostgresApprovalStore(pa).getApprovalRequest(approvalId(1)))?.executorArn, 'arn:aws:iam::111122223333:user/alice');
  });

  it('records one decision per approver, even from two nodes at once', async () => {
    const [pa] = nodes();
    await new PostgresApprovalStore(pa).createApprovalRequest(approvalRequest(2, 0));
    const results = await race(
      (s) => s.decideApprovalRequest(approvalId(2), 'Pending', decision('AIDABOB'), 'Pending'),
      (s) => s.decideApprovalRequest(approvalId(2), 'Pending', decision('AIDABOB', 'Deny'), 'Denied'),
    );
    assert.deepEqual(results, [true, false]);
    const r = await new PostgresApprovalStore(pa).getApprovalRequest(approvalId(2));
    assert.deepEqual([r?.status, r?.decisions], ['Pending', [decision('AIDABOB')]]);
  });

  it('a decision completing the quorum on one node refuses a decision racing it on another', async () => {
    const [pa] = nodes();
    await new PostgresApprovalStore(pa).createApprovalRequest(approvalRequest(3, 0));
    const results = await race(
      (s) => s.decideApprovalRequest(approvalId(3), 'Pending', decision('AIDABOB'), 'Approved'),
      (s) => s.decideApprovalRequest(approvalId(3), 'Pending', decision('AIDACAROL'), 'Approved'),
    );
    assert.deepEqual(results, [true, false]);
    const r = await new PostgresApprovalStore(pa).getApprovalRequest(approvalId(3));
    assert.deepEqual([r?.status, r?.decisions.map((d) => d.approverId)], ['Approved', ['AIDABOB']]);
  });
});
