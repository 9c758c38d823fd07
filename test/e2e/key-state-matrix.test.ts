/**
 * Key state × operation: every registered operation that acts on a key, in every key state, answers what
 * the one state table in src/core/key-state.ts says for the access its key requirement declares, with
 * AWS's exception name and message, through the real HTTP protocol and pipeline. The rows are generated
 * from the registry: an operation with a key requirement and no case (test/helpers/key-state-cases.ts)
 * fails here. States the API cannot reach yet (PendingImport, Unavailable, Creating) are set in the
 * database directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AWS_ERRORS } from '../../src/api/aws/errors.js';
import { KEY_STATES, type KeyState } from '../../src/core/key.js';
import { REFUSALS, stateAnswer, type Refusal } from '../../src/core/key-state.js';
import { OPERATIONS } from '../../src/service/pipeline/registry.js';
import type { RegisteredOperation } from '../../src/service/pipeline/operation.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { CASES, casesOf, EXEMPT, type Case, type Fixture } from '../helpers/key-state-cases.js';
import { rawRequest } from '../helpers/raw-request.js';
import { sqliteOf } from '../helpers/in-process.js';

const REFUSAL_NAMES = Object.keys(REFUSALS) as Refusal[];
const actsOnKey = (op: RegisteredOperation) => op.keyAccess.length > 0;
const byName = new Map(OPERATIONS.map((op) => [op.name, op]));

describe('key state × operation matrix', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  const call = async (service: string, name: string, body: Record<string, unknown>) => {
    const res = await rawRequest(s, { target: `${service}.${name}`, body: JSON.stringify(body) });
    return { status: res.status, json: res.json() };
  };
  const mustCall = async (name: string, body: Record<string, unknown>) => {
    const res = await call('TrentService', name, body);
    assert.equal(res.status, 200, `${name} (fixture): ${JSON.stringify(res.json)}`);
    return res.json;
  };

  /** A key of the case's shape, with what the case's setup made, then put in `state`. */
  async function fixture(c: Case, state: KeyState): Promise<Fixture> {
    const meta = (await mustCall('CreateKey', { ...c.key }))['KeyMetadata'] as { KeyId: string; Arn: string };
    const adminArn = s.app.admin.principalArn;
    const made = (await c.setup?.({ keyId: meta.KeyId, arn: meta.Arn, adminArn, call: mustCall })) ?? {};
    const deletion = state === 'PendingDeletion' ? Date.now() + 7 * 86_400_000 : null;
    sqliteOf(s.app).prepare('UPDATE keys SET state = ?, deletion_date = ? WHERE id = ?').run(state, deletion, meta.KeyId);
    const described = (await mustCall('DescribeKey', { KeyId: meta.KeyId }))['KeyMetadata'] as { KeyState: string };
    assert.equal(described.KeyState, state, 'the fixture key is in the state under test');
    return { keyId: meta.KeyId, arn: meta.Arn, adminArn, made };
  }

  /** What an answer is in the state table's terms: `ok`, one of its refusals, or what else came back. */
  function outcome(res: { status: number; json: Record<string, unknown> }, arn: string): string {
    if (res.status === 200) return 'ok';
    const refusal = REFUSAL_NAMES.find((r) => res.json['__type'] === AWS_ERRORS[REFUSALS[r].code].type && res.json['message'] === REFUSALS[r].message(arn));
    return refusal ?? `unexpected ${res.status} ${String(res.json['__type'])}: ${String(res.json['message'])}`;
  }

  /** Every (operation, key requirement) the matrix must cover: all requirements of every operation with a key. */
  const rows = OPERATIONS.filter((op) => actsOnKey(op) && !(op.name in EXEMPT)).flatMap((op) => op.keyAccess.map((access, slot) => ({ op, slot, access })));

  it('has a case or a named exemption for every key requirement of every registered operation, and no stale one', () => {
    const uncovered = rows.filter((r) => !casesOf(r.op.name).some((c) => (c.slot ?? 0) === r.slot)).map((r) => `${r.op.name} key ${r.slot}`);
    assert.deepEqual(uncovered, [], 'key requirements with no key-state case');
    const stale = [...Object.keys(CASES), ...Object.keys(EXEMPT)].filter((name) => (byName.get(name)?.keyAccess.length ?? 0) === 0);
    assert.deepEqual(stale, [], 'cases or exemptions naming no registered operation with a key requirement');
    const pastLastKey = Object.keys(CASES).filter((name) => casesOf(name).some((c) => (c.slot ?? 0) >= (byName.get(name)?.keyAccess.length ?? 0)));
    assert.deepEqual(pastLastKey, [], 'cases naming a key requirement the operation does not have');
    assert.deepEqual(Object.keys(CASES).filter((name) => name in EXEMPT), [], 'an operation is either covered or exempt');
    for (const [name, reason] of Object.entries(EXEMPT)) assert.ok(reason.trim().length > 0, `${name}: the exemption gives a reason`);
  });

  for (const { op, slot, access } of rows) {
    const which = op.keyAccess.length > 1 ? ` (key ${slot})` : '';
    it(`${op.name}${which} in each state answers as the state table says for '${access}'`, async () => {
      const c = casesOf(op.name).find((x) => (x.slot ?? 0) === slot);
      assert.ok(c !== undefined, `${op.name} key ${slot} has no key-state case`);
      const expected: Partial<Record<KeyState, string>> = {};
      const seen: Partial<Record<KeyState, string>> = {};
      for (const state of KEY_STATES) {
        const f = await fixture(c, state);
        expected[state] = stateAnswer(state, access, op.name) ?? 'ok';
        seen[state] = outcome(await call(op.service, op.name, c.body(f)), f.arn);
      }
      assert.deepEqual(seen, expected, `${op.name}${which}: answers by key state`);
      // A row that refuses nothing (or allows nothing) only holds for a key that is merely read.
      const values = Object.values(expected);
      assert.ok(values.includes('ok'), `${op.name} is allowed in some state`);
      if (access !== 'read') assert.ok(values.some((v) => v !== 'ok'), `${op.name}${which} (${access}) is refused in some state`);
    });
  }
});
