import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObservedRequest } from '../../core/detection.js';
import type { Alert } from './alert.js';
import { CircuitBreakers } from './breakers.js';
import { AnomalyDetector } from './detector.js';
import { rulesSchema } from './rules.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const K1 = 'arn:aws:kms:us-east-1:111122223333:key/k1';
const K2 = 'arn:aws:kms:us-east-1:111122223333:key/k2';
const DAY = 86_400_000;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A detector with only `rules` (raw, as in arca.yaml), a settable clock, and the alerts it raised. */
function detector(rules: unknown[], maxTracked = 1000) {
  let now = Date.parse('2026-06-01T12:00:00Z');
  const breakers = new CircuitBreakers({ now: () => new Date(now) });
  const alerts: Alert[] = [];
  const d = new AnomalyDetector(breakers, { raise: (a) => void alerts.push(a) }, silent, { rules: rulesSchema.parse(rules), maxTracked });
  const send = (r: Partial<ObservedRequest> = {}): void =>
    d.observe({ principalArn: ALICE, operation: 'Decrypt', keyArns: [K1], sourceIp: '192.0.2.10', errorCode: undefined, time: new Date(now), ...r });
  return { d, breakers, alerts, send, advance: (ms: number) => void (now += ms), now: () => now };
}

describe('anomaly rules', () => {
  it('failure burst: N failures of the listed codes by one principal on one key within T fire once, then the window restarts', () => {
    const t = detector([{ name: 'burst', type: 'failureBurst', threshold: 5, windowSeconds: 60, severity: 'high' }]);
    for (let i = 0; i < 4; i++) t.send({ errorCode: 'InvalidCiphertext' });
    t.send({ errorCode: 'KeyDisabled' }); // not a listed code
    t.send(); // a success
    assert.equal(t.alerts.length, 0);
    t.send({ errorCode: 'AccessDenied' });
    assert.equal(t.alerts.length, 1);
    const [a] = t.alerts;
    assert.equal(a?.rule, 'burst');
    assert.equal(a?.type, 'failureBurst');
    assert.equal(a?.severity, 'high');
    assert.equal(a?.principalArn, ALICE);
    assert.equal(a?.keyArn, K1);
    assert.equal(a?.details['count'], 5);
    for (let i = 0; i < 4; i++) t.send({ errorCode: 'InvalidCiphertext' });
    assert.equal(t.alerts.length, 1, 'the window restarted after the alert');
  });

  it('failure burst: failures spread over more than the window do not fire; windows are per principal and per key', () => {
    const t = detector([{ name: 'burst', type: 'failureBurst', threshold: 3, windowSeconds: 10 }]);
    for (let i = 0; i < 6; i++) {
      t.send({ errorCode: 'InvalidCiphertext' });
      t.advance(6_000);
    }
    assert.equal(t.alerts.length, 0);
    t.send({ errorCode: 'InvalidCiphertext' });
    t.send({ errorCode: 'InvalidCiphertext', principalArn: BOB });
    t.send({ errorCode: 'InvalidCiphertext', keyArns: [K2] });
    assert.equal(t.alerts.length, 0);
  });

  it('failure burst: refusals before any key resolved count under the principal alone (no key in the alert)', () => {
    const t = detector([{ name: 'burst', type: 'failureBurst', threshold: 3, windowSeconds: 60 }]);
    for (let i = 0; i < 3; i++) t.send({ errorCode: 'AccessDenied', keyArns: [] });
    assert.equal(t.alerts.length, 1);
    assert.equal(t.alerts[0]?.keyArn, undefined);
  });

  it('decrypt volume: more than N successful Decrypts of one key by one principal within T', () => {
    const t = detector([{ name: 'volume', type: 'decryptVolume', threshold: 10, windowSeconds: 60 }]);
    for (let i = 0; i < 10; i++) t.send();
    t.send({ operation: 'Encrypt' });
    t.send({ errorCode: 'InvalidCiphertext' });
    t.send({ principalArn: BOB });
    assert.equal(t.alerts.length, 0);
    t.send();
    assert.equal(t.alerts.length, 1);
    assert.equal(t.alerts[0]?.details['count'], 11);
  });

  it('new source network: the first network is the baseline; another /24 fires once; one unused for the history window fires again', () => {
    const t = detector([{ name: 'net', type: 'newSourceNetwork', historyDays: 30 }]);
    t.send({ sourceIp: '127.0.0.1' });
    t.send({ sourceIp: '127.0.0.2' }); // same /24
    assert.equal(t.alerts.length, 0);
    t.send({ sourceIp: '127.0.1.1' });
    assert.equal(t.alerts.length, 1);
    assert.equal(t.alerts[0]?.details['network'], '127.0.1.0/24');
    assert.equal(t.alerts[0]?.sourceIp, '127.0.1.1');
    t.send({ sourceIp: '127.0.1.9' });
    t.send({ sourceIp: '2001:db8:1::1', principalArn: BOB }); // Bob's baseline
    t.send({ sourceIp: '2001:db8:1:ffff::2', principalArn: BOB }); // same /48
    assert.equal(t.alerts.length, 1);
    t.advance(31 * DAY);
    t.send({ sourceIp: '127.0.1.1' }); // every known network is older than the history window
    assert.equal(t.alerts.length, 1, 'with no network in the history window, the request is a new baseline');
    t.send({ sourceIp: '127.0.0.1' });
    assert.equal(t.alerts.length, 2, 'a network last used before the history window is new again');
  });

  it('off hours: after learning, an hour the principal never used fires once', () => {
    const t = detector([{ name: 'hours', type: 'offHours', learningDays: 7, minRequests: 20 }]);
    for (let day = 0; day < 8; day++) {
      for (let i = 0; i < 3; i++) t.send(); // 12:00 UTC every day
      t.advance(DAY);
    }
    assert.equal(t.alerts.length, 0);
    t.advance(14 * 3_600_000); // 02:00 UTC
    t.send();
    assert.equal(t.alerts.length, 1);
    assert.equal(t.alerts[0]?.details['hourUtc'], 2);
    assert.equal(t.alerts[0]?.details['usualHoursUtc'], '12');
    t.send();
    assert.equal(t.alerts.length, 1, 'the hour is learned');
  });

  it('off hours: nothing fires while learning', () => {
    const t = detector([{ name: 'hours', type: 'offHours', learningDays: 7, minRequests: 2 }]);
    t.send();
    t.advance(5 * 3_600_000);
    t.send();
    t.send();
    assert.equal(t.alerts.length, 0);
  });

  it('idle key: a key used again after the idle time', () => {
    const t = detector([{ name: 'idle', type: 'idleKey', idleDays: 30 }]);
    t.send();
    t.advance(29 * DAY);
    t.send({ principalArn: BOB });
    assert.equal(t.alerts.length, 0);
    t.advance(30 * DAY);
    t.send({ principalArn: BOB });
    assert.equal(t.alerts.length, 1);
    assert.equal(t.alerts[0]?.keyArn, K1);
    assert.equal(t.alerts[0]?.principalArn, BOB);
    assert.equal(t.alerts[0]?.details['idleDays'], 30);
  });

  it('a rule with an action trips a breaker named in the alert; requests it covers feed no window', () => {
    const t = detector([{ name: 'burst', type: 'failureBurst', threshold: 2, windowSeconds: 60, action: { type: 'block', scope: 'principal', durationSeconds: 600 } }]);
    t.send({ errorCode: 'InvalidCiphertext' });
    t.send({ errorCode: 'InvalidCiphertext' });
    const breaker = t.alerts[0]?.breaker;
    assert.ok(breaker !== undefined);
    assert.equal(breaker.principalArn, ALICE);
    assert.equal(breaker.keyArn, K1);
    assert.equal(breaker.alertId, t.alerts[0]?.id);
    assert.equal(breaker.until?.getTime(), t.now() + 600_000);
    // The breaker's own refusals (AccessDenied) do not raise more alerts.
    for (let i = 0; i < 10; i++) t.send({ errorCode: 'AccessDenied' });
    assert.equal(t.alerts.length, 1);
    assert.equal(t.breakers.list().length, 1);
  });

  it('a key-wide action covers every principal on the key', () => {
    const t = detector([{ name: 'volume', type: 'decryptVolume', threshold: 1, windowSeconds: 60, action: { type: 'throttle', scope: 'key', ratePerSecond: 2 } }]);
    t.send();
    t.send();
    const breaker = t.alerts[0]?.breaker;
    assert.equal(breaker?.principalArn, undefined);
    assert.equal(breaker?.action, 'throttle');
    assert.equal(breaker?.until, undefined, 'until released');
    assert.ok(t.breakers.covers(BOB, K1));
    assert.ok(!t.breakers.covers(BOB, K2));
  });

  it('disabled rules do nothing; a reload keeps the windows of a rule that keeps its name and type', () => {
    const rules = [{ name: 'burst', type: 'failureBurst', threshold: 3, windowSeconds: 60 }];
    const t = detector([{ ...rules[0], enabled: false }]);
    for (let i = 0; i < 5; i++) t.send({ errorCode: 'InvalidCiphertext' });
    assert.equal(t.alerts.length, 0);
    t.d.update({ rules: rulesSchema.parse(rules), maxTracked: 1000 });
    t.send({ errorCode: 'InvalidCiphertext' });
    t.send({ errorCode: 'InvalidCiphertext' });
    t.d.update({ rules: rulesSchema.parse([{ ...rules[0], threshold: 3 }]), maxTracked: 1000 });
    t.send({ errorCode: 'InvalidCiphertext' });
    assert.equal(t.alerts.length, 1);
  });

  it('memory is bounded: windows past maxTracked forget the least recently seen', () => {
    const t = detector([{ name: 'burst', type: 'failureBurst', threshold: 2, windowSeconds: 60 }], 100);
    t.send({ errorCode: 'InvalidCiphertext' });
    for (let i = 0; i < 500; i++) t.send({ errorCode: 'InvalidCiphertext', principalArn: `arn:aws:iam::111122223333:user/u${i}` });
    t.send({ errorCode: 'InvalidCiphertext' });
    assert.equal(t.alerts.length, 0, "alice's window was forgotten: her second failure is her first again");
  });

  it('the default rules are valid, alert-only, and named', () => {
    const t = detector([]);
    assert.equal(t.d.rules.length, 0);
    const fresh = new AnomalyDetector(t.breakers, { raise: () => undefined }, silent);
    assert.deepEqual(fresh.rules.map((r) => r.name), ['failure-burst', 'decrypt-volume', 'new-source-network', 'off-hours', 'idle-key']);
    assert.ok(fresh.rules.every((r) => r.action === undefined));
  });

  it('rule names must be unique', () => {
    assert.throws(() => rulesSchema.parse([{ name: 'a', type: 'idleKey' }, { name: 'a', type: 'offHours' }]), /used twice/);
  });
});
