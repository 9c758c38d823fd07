/**
 * Negative cases generated from the registry (STYLE.md rule 12, issue 13 item 6): for every registered
 * operation, one test per applicable case — denied (and the same answer for an unknown key, DESIGN.md
 * §7.3), sealed, a wrong key in each key slot, tampered input, wrong encryption context — each asserting
 * the error code and the failure's audit event. The case data is test/helpers/negative-cases.ts; an
 * operation without an entry there fails here.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../test/helpers/operation-harness.js';
import { isNotApplicable, NEGATIVE_CASES, negativeFixture, type NegativeFixture, type Row } from '../../../test/helpers/negative-cases.js';
import { OPERATIONS } from './registry.js';

/** Runs `row` and asserts its answer and the audit event that recorded it. */
async function expectRow(h: Harness, name: string, row: Row, f: NegativeFixture, as?: HarnessPrincipal): Promise<string | undefined> {
  const before = h.events().length;
  const r = await h.call(name, row.input(f), as === undefined ? {} : { as });
  assert.equal(h.events().length, before + 1, 'exactly one audit event records the request');
  const event = h.lastEvent();
  assert.equal(event.eventName, name);
  if (row.expect === 'success') {
    assert.equal(r.error, undefined, `expected success, got ${r.error?.code}: ${r.error?.message}`);
    assert.equal(event.errorCode, undefined);
    return undefined;
  }
  assert.equal(r.error?.code, row.expect, r.error === undefined ? 'the request succeeded' : r.error.message);
  assert.equal(event.errorCode, row.expect, 'the failure is recorded with its code');
  if (row.message !== undefined) assert.match(r.error.message, row.message);
  return r.error.message;
}

/** The refusal message without the resource it names. */
const withoutResource = (message: string | undefined) => message?.replace(/on resource: \S+/, 'on resource: <resource>');

describe('negative cases of every registered operation', () => {
  it('every registered operation has an entry, and no entry names an unregistered operation', () => {
    const names = OPERATIONS.map((op) => op.name);
    assert.deepEqual(names.filter((n) => NEGATIVE_CASES[n] === undefined), [], 'operations without negative cases');
    assert.deepEqual(Object.keys(NEGATIVE_CASES).filter((n) => !names.includes(n)), [], 'entries for no registered operation');
  });

  it('the entries agree with the registry: an authenticated operation is denied and sealed like any, and each key slot has a wrong-key row or a reason', () => {
    for (const op of OPERATIONS) {
      const c = NEGATIVE_CASES[op.name];
      if (c === undefined) continue; // reported by the test above
      if (op.authentication === 'required' && !op.needsPermission) {
        assert.ok(c.denied !== undefined, `${op.name} needs no permission: say why it is not denied`);
        assert.equal(c.sealed, undefined, `${op.name} is authenticated: it must answer Sealed while sealed`);
      } else if (op.authentication === 'required') {
        assert.equal(c.denied, undefined, `${op.name} is authenticated: a caller without rights must be denied`);
        assert.equal(c.sealed, undefined, `${op.name} is authenticated: it must answer Sealed while sealed`);
      } else {
        assert.ok(c.denied !== undefined && c.sealed !== undefined, `${op.name} is unauthenticated: say why it is not denied, and what it answers sealed`);
      }
      if (op.keyAccess.length === 0) assert.ok(!Array.isArray(c.wrongKey), `${op.name} has no key slot, so no wrong-key row`);
      else if (Array.isArray(c.wrongKey)) assert.deepEqual([...new Set(c.wrongKey.map((r) => r.slot))].sort(), op.keyAccess.map((_, i) => i), `${op.name}: wrong-key rows (or reasons) for exactly its key slots`);
      assert.equal(c.unknownKey !== undefined, op.keyAccess.length > 0, `${op.name}: an operation on a key has an unknown-key twin (or a reason), no other does`);
    }
  });

  let h: Harness;
  let f: NegativeFixture;
  let outsider: HarnessPrincipal;
  before(async () => {
    h = await harness();
    f = await negativeFixture(h);
    outsider = await h.principal('negative-mallory');
  });
  after(async () => {
    f.share.dispose();
    await h.close();
  });

  for (const op of OPERATIONS) {
    const c = NEGATIVE_CASES[op.name];
    if (c === undefined) continue;
    const request = c.request ?? (() => ({}));
    describe(op.name, () => {
      if (c.denied === undefined) {
        it('a caller without rights is AccessDenied, and the refusal is recorded', async () => {
          await expectRow(h, op.name, { input: request, expect: 'AccessDenied' }, f, outsider);
        });
        const twin = c.unknownKey;
        if (twin !== undefined && !isNotApplicable(twin)) {
          it('a caller without rights gets the same AccessDenied for a key that does not exist', async () => {
            const missing = { keyId: randomUUID(), alias: `alias/missing-${randomUUID()}` };
            const forbidden = await expectRow(h, op.name, { input: request, expect: 'AccessDenied' }, f, outsider);
            const unknown = await expectRow(h, op.name, { input: (x) => twin(x, missing), expect: 'AccessDenied' }, f, outsider);
            assert.ok(unknown?.includes(missing.keyId) === true || unknown?.includes(missing.alias) === true, 'the refusal is about the missing key');
            assert.equal(withoutResource(unknown), withoutResource(forbidden));
          });
        }
      }
      if (op.authentication === 'required' && !op.needsPermission) {
        it('needs no permission: a caller without rights gets an answer, recorded', async () => {
          await expectRow(h, op.name, { input: request, expect: 'success' }, f, outsider);
        });
      }
      const sealedRow = c.sealed ?? { input: request, expect: 'Sealed' };
      it(sealedRow.expect === 'success' ? 'works while sealed' : `answers ${sealedRow.expect} while sealed, and records it`, async () => {
        h.seal();
        try {
          await expectRow(h, op.name, sealedRow, f);
        } finally {
          await h.unseal();
        }
      });
      if (Array.isArray(c.wrongKey)) {
        for (const row of c.wrongKey) {
          if (isNotApplicable(row)) continue;
          it(`a wrong key in key slot ${row.slot} is ${row.expect}`, async () => {
            await expectRow(h, op.name, row, f);
          });
        }
      }
      for (const [kind, row] of [['tampered input', c.tampered], ['a wrong encryption context', c.wrongContext]] as const) {
        if (isNotApplicable(row)) continue;
        it(`${kind} is ${row.expect}`, async () => {
          await expectRow(h, op.name, row, f);
        });
      }
    });
  }
});
