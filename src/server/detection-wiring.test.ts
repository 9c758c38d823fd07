import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../core/audit.js';
import { rulesSchema } from '../service/detection/rules.js';
import { Detection } from './detection-wiring.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/k1';

function setup() {
  const events: AuditEvent[] = [];
  const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const counted: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, fields });
  const rules = rulesSchema.parse([{ name: 'burst', type: 'failureBurst', threshold: 2, windowSeconds: 60, severity: 'high' }]);
  const detection = new Detection({
    config: { enabled: true, settings: { rules, maxTracked: 100 }, webhooks: [{ url: 'http://127.0.0.1:9/a', secret: 's' }] },
    clock: { now: () => new Date('2026-06-01T12:00:00Z') },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    audit: { append: async (e) => void events.push(e) },
    region: 'us-east-1',
    observer: { alertRaised: (rule, severity) => void counted.push(`${rule}/${severity}`) },
  });
  const fail = () => detection.observe({ principalArn: ALICE, operation: 'Decrypt', keyArns: [KEY], sourceIp: '192.0.2.1', errorCode: 'InvalidCiphertext', time: new Date('2026-06-01T12:00:00Z') });
  return { detection, events, logs, counted, fail };
}

describe('alert delivery (the server side of detection)', () => {
  it('an alert is an Alert audit event (after the request), a metric, and a warn log line', async () => {
    const t = setup();
    t.fail();
    t.fail();
    assert.deepEqual(t.counted, ['burst/high']);
    assert.equal(t.events.length, 0, 'the event is appended after the request, not during it');
    await t.detection.drain();
    const [event] = t.events;
    assert.equal(event?.eventName, 'Alert');
    assert.deepEqual(event?.resources, [{ ARN: KEY, type: 'AWS::KMS::Key' }]);
    assert.equal(event?.userIdentity.type, 'Anonymous');
    assert.equal(event?.additionalEventData?.['principal'], ALICE);
    assert.equal(event?.additionalEventData?.['alertId'], event?.eventID);
    const warn = t.logs.find((l) => l.level === 'warn');
    assert.equal(warn?.message, 'anomaly alert');
    assert.equal(warn?.fields?.['rule'], 'burst');
    t.detection.close();
  });

  it('enabled: false observes nothing', () => {
    const t = setup();
    t.detection.update({ enabled: false, settings: { rules: t.detection.detector.rules, maxTracked: 100 }, webhooks: [] });
    for (let i = 0; i < 5; i++) t.fail();
    assert.deepEqual(t.counted, []);
  });

  it('a reload keeps an unchanged webhook (and its queue) and replaces a changed one', () => {
    const t = setup();
    const [before] = t.detection.webhooks;
    const settings = { rules: t.detection.detector.rules, maxTracked: 100 };
    t.detection.update({ enabled: true, settings, webhooks: [{ url: 'http://127.0.0.1:9/a', secret: 's' }, { url: 'http://127.0.0.1:9/b' }] });
    assert.equal(t.detection.webhooks[0], before);
    assert.equal(t.detection.webhooks.length, 2);
    t.detection.update({ enabled: true, settings, webhooks: [{ url: 'http://127.0.0.1:9/a', secret: 'rotated' }] });
    assert.notEqual(t.detection.webhooks[0], before);
    t.detection.close();
  });
});
