import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKmsError } from '../../core/errors.js';
import { BreakerGate, CircuitBreakers } from './breakers.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const K1 = 'arn:aws:kms:us-east-1:111122223333:key/k1';
const K2 = 'arn:aws:kms:us-east-1:111122223333:key/k2';
const key = (arn: string) => ({ arn, id: arn.slice(-2), keySpec: 'SYMMETRIC_DEFAULT' as const });

function setup() {
  let now = 1_000_000;
  const breakers = new CircuitBreakers({ now: () => new Date(now) });
  const refusal = (principalArn: string, keys: string[], operation = 'Decrypt'): string | undefined => {
    try {
      breakers.enforce({ principalArn, operation, keys: keys.map(key) });
      return undefined;
    } catch (e) {
      assert.ok(isKmsError(e));
      return `${e.code}: ${e.message}`;
    }
  };
  return { breakers, refusal, advance: (ms: number) => void (now += ms) };
}

describe('circuit breakers', () => {
  it('block: the principal on the key gets AccessDenied naming the breaker and the alert; others and other keys are unaffected', () => {
    const t = setup();
    const b = t.breakers.trip({ action: 'block', keyArn: K1, principalArn: ALICE, rule: 'burst', alertId: 'alert-1' });
    const refused = t.refusal(ALICE, [K1]);
    assert.match(refused ?? '', new RegExp(`^AccessDenied: Circuit breaker ${b.id} blocks ${ALICE} on ${K1} \\(alert alert-1, rule burst\\)`));
    assert.equal(t.refusal(BOB, [K1]), undefined);
    assert.equal(t.refusal(ALICE, [K2]), undefined);
    assert.equal(t.refusal(ALICE, [K2, K1])?.startsWith('AccessDenied'), true, 'any key of the request');
  });

  it('a principal-wide breaker (key *) covers every key and keyless operations', () => {
    const t = setup();
    t.breakers.trip({ action: 'block', keyArn: '*', principalArn: ALICE, rule: 'burst', alertId: 'a' });
    assert.ok(t.refusal(ALICE, [K2]));
    assert.ok(t.refusal(ALICE, [], 'ListKeys'));
    assert.equal(t.refusal(BOB, []), undefined);
  });

  it('the alert and breaker operations are never refused, so an administrator can always release', () => {
    const t = setup();
    t.breakers.trip({ action: 'block', keyArn: '*', principalArn: ALICE, rule: 'r', alertId: 'a' });
    for (const op of ['ListAlerts', 'AcknowledgeAlert', 'ListBreakers', 'ReleaseBreaker']) assert.equal(t.refusal(ALICE, [], op), undefined, op);
  });

  it('throttle: ThrottlingException past its rate, refilled with time', () => {
    const t = setup();
    t.breakers.trip({ action: 'throttle', keyArn: K1, rule: 'volume', alertId: 'a', ratePerSecond: 2 });
    const results = Array.from({ length: 5 }, () => t.refusal(BOB, [K1]));
    assert.equal(results.filter((r) => r === undefined).length, 2);
    assert.match(results.at(-1) ?? '', /^Throttled: Rate exceeded \(circuit breaker brk-/);
    t.advance(1000);
    assert.equal(t.refusal(ALICE, [K1]), undefined);
  });

  it('a breaker with a duration releases itself; release by id ends one at once', () => {
    const t = setup();
    const timed = t.breakers.trip({ action: 'block', keyArn: K1, principalArn: ALICE, rule: 'r', alertId: 'a', durationSeconds: 60 });
    const manual = t.breakers.trip({ action: 'block', keyArn: K2, rule: 'r', alertId: 'b' });
    assert.equal(t.breakers.list().length, 2);
    t.advance(60_000);
    assert.equal(t.refusal(ALICE, [K1]), undefined);
    assert.deepEqual(t.breakers.list().map((b) => b.id), [manual.id]);
    assert.equal(t.breakers.release(timed.id), undefined, 'an expired breaker is not in force');
    assert.equal(t.breakers.release(manual.id)?.id, manual.id);
    assert.equal(t.refusal(BOB, [K2]), undefined);
    assert.equal(t.breakers.release(manual.id), undefined);
  });

  it('tripping the same scope again replaces the breaker and keeps its id', () => {
    const t = setup();
    const first = t.breakers.trip({ action: 'throttle', keyArn: K1, principalArn: ALICE, rule: 'r', alertId: 'a' });
    const second = t.breakers.trip({ action: 'block', keyArn: K1, principalArn: ALICE, rule: 'r', alertId: 'b' });
    assert.equal(second.id, first.id);
    assert.equal(t.breakers.list().length, 1);
    assert.match(t.refusal(ALICE, [K1]) ?? '', /alert b/);
  });

  it('the gate checks the breakers before the quotas: a refused request takes no quota token', () => {
    const t = setup();
    let admitted = 0;
    const gate = new BreakerGate(t.breakers, { admit: () => void (admitted += 1) });
    t.breakers.trip({ action: 'block', keyArn: K1, principalArn: ALICE, rule: 'r', alertId: 'a' });
    assert.throws(() => gate.admit({ principalArn: ALICE, operation: 'Decrypt', keys: [key(K1)] }), /Circuit breaker/);
    gate.admit({ principalArn: BOB, operation: 'Decrypt', keys: [key(K1)] });
    assert.equal(admitted, 1);
  });
});
