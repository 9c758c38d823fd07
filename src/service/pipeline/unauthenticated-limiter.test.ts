import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../core/ports.js';
import { sourceKey, SUMMARY_DISTINCT_VALUES, SUMMARY_SOURCES, throttleSummaryEvent, UnauthenticatedLimiter, type UnauthenticatedLimits } from './unauthenticated-limiter.js';

class ManualClock implements Clock {
  t = Date.parse('2026-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.t);
  }
}

const limits = (l: Partial<UnauthenticatedLimits> = {}): UnauthenticatedLimits => ({ perSourcePerSecond: 2, perSourceBurst: 3, totalPerSecond: 100, totalBurst: 100, maxSources: 100, ...l });
const throttledFrom = (sourceIp: string, target = 'TrentService.Encrypt', errorCode = 'Throttled') => ({ sourceIp, target, userAgent: 'ua', errorCode });

describe('UnauthenticatedLimiter', () => {
  it('lets a source fail its burst, then refills at the sustained rate', () => {
    const clock = new ManualClock();
    const l = new UnauthenticatedLimiter(limits(), clock);
    assert.equal(l.exhausted('10.0.0.1'), false, 'an unknown source is not limited');
    assert.deepEqual([l.take('10.0.0.1'), l.take('10.0.0.1'), l.take('10.0.0.1'), l.take('10.0.0.1')], [true, true, true, false]);
    assert.equal(l.exhausted('10.0.0.1'), true);
    clock.t += 499;
    assert.equal(l.exhausted('10.0.0.1'), true, 'less than one token after 499 ms at 2/s');
    clock.t += 1;
    assert.equal(l.exhausted('10.0.0.1'), false);
    assert.equal(l.take('10.0.0.1'), true);
    assert.equal(l.take('10.0.0.1'), false);
    clock.t += 3_600_000;
    assert.deepEqual([l.take('10.0.0.1'), l.take('10.0.0.1'), l.take('10.0.0.1'), l.take('10.0.0.1')], [true, true, true, false], 'refilled up to the burst, no more');
  });

  it('limits each source on its own: one source over its limit does not limit another', () => {
    const l = new UnauthenticatedLimiter(limits(), new ManualClock());
    for (let i = 0; i < 10; i++) l.take('10.0.0.1');
    assert.equal(l.exhausted('10.0.0.1'), true);
    assert.equal(l.exhausted('10.0.0.2'), false);
    assert.equal(l.take('10.0.0.2'), true);
  });

  it('bounds all sources together with the total bucket (a distributed flood)', () => {
    const l = new UnauthenticatedLimiter(limits({ totalBurst: 5, totalPerSecond: 1 }), new ManualClock());
    const taken = Array.from({ length: 10 }, (_, i) => l.take(`10.0.1.${i}`));
    assert.deepEqual(taken, [true, true, true, true, true, false, false, false, false, false]);
    assert.equal(l.exhausted('10.0.1.9'), false, 'a source refused by the total alone is still processed (it may be well signed)');
  });

  it('remembers at most maxSources sources, forgetting the least recently seen', () => {
    const l = new UnauthenticatedLimiter(limits({ maxSources: 2 }), new ManualClock());
    for (let i = 0; i < 3; i++) l.take('10.0.0.1');
    l.take('10.0.0.2');
    l.take('10.0.0.1'); // seen again: 10.0.0.2 is now the oldest
    l.take('10.0.0.3'); // evicts 10.0.0.2
    assert.equal(l.exhausted('10.0.0.1'), true, 'the recently seen source is kept');
    for (let i = 0; i < 1000; i++) l.take(`10.9.${i >> 8}.${i & 255}`);
    assert.equal(l.exhausted('10.0.0.1'), false, 'forgotten once the map turned over: memory stays bounded');
  });

  it('tallies throttled requests per source, with exact counts, times and bounded targets and codes', () => {
    const clock = new ManualClock();
    const l = new UnauthenticatedLimiter(limits(), clock);
    const start = clock.t;
    for (let i = 0; i < 40; i++) {
      l.throttled(throttledFrom('10.0.0.1', `TrentService.Op${i}`, i % 2 === 0 ? 'Throttled' : 'MissingAuthentication'));
      clock.t += 10;
    }
    l.throttled(throttledFrom('10.0.0.2'));
    assert.equal(l.pending, 41);
    const [a, b] = l.takeSummaries();
    assert.equal(a?.source, '10.0.0.1');
    assert.equal(a?.count, 40);
    assert.equal(a?.firstTime.getTime(), start);
    assert.equal(a?.lastTime.getTime(), start + 390);
    assert.equal(Object.keys(a?.targets ?? {}).length, SUMMARY_DISTINCT_VALUES + 1, 'distinct targets bounded, the rest under (other)');
    assert.equal(Object.values(a?.targets ?? {}).reduce((n, x) => n + x, 0), 40, 'every request is counted');
    assert.deepEqual(a?.errorCodes, { Throttled: 20, MissingAuthentication: 20 });
    assert.equal(b?.count, 1);
    assert.deepEqual(l.takeSummaries(), [], 'the tallies restart empty');
  });

  it('tallies sources beyond maxSources together under *, so the count stays exact', () => {
    const l = new UnauthenticatedLimiter(limits({ maxSources: 3 }), new ManualClock());
    for (let i = 0; i < 10; i++) l.throttled(throttledFrom(`10.0.0.${i}`));
    const summaries = l.takeSummaries();
    assert.equal(summaries.length, 4);
    assert.equal(summaries.find((s) => s.source === '*')?.count, 7);
  });

  it('summarizes at most SUMMARY_SOURCES sources one by one per interval, the rest together under *', () => {
    const l = new UnauthenticatedLimiter(limits({ maxSources: 10_000 }), new ManualClock());
    for (let i = 0; i < SUMMARY_SOURCES + 50; i++) l.throttled(throttledFrom(`2001:db8:0:${i.toString(16)}::1`));
    const summaries = l.takeSummaries();
    assert.equal(summaries.length, SUMMARY_SOURCES + 1);
    assert.equal(summaries.find((s) => s.source === '*')?.count, 50);
    assert.equal(summaries.reduce((n, s) => n + s.count, 0), SUMMARY_SOURCES + 50, 'every throttled request is counted once');
  });

  it('makes a summary event that says how many requests it stands for', () => {
    const clock = new ManualClock();
    const l = new UnauthenticatedLimiter(limits(), clock);
    for (let i = 0; i < 5; i++) l.throttled(throttledFrom('10.0.0.1'));
    const [s] = l.takeSummaries();
    assert.ok(s);
    const e = throttleSummaryEvent(s, 'us-east-1', 'req-1');
    assert.equal(e.eventName, 'ThrottledRequests');
    assert.equal(e.sourceIPAddress, '10.0.0.1');
    assert.equal(e.errorCode, 'Throttled');
    assert.equal(e.additionalEventData?.['throttledRequests'], 5);
    assert.equal(e.userIdentity.type, 'Anonymous');
  });
});

describe('sourceKey', () => {
  it('keys IPv4 by address (also IPv4-mapped) and IPv6 by its /64', () => {
    assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(sourceKey('2001:db8:0:1:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
    assert.equal(sourceKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceKey('::1'), '0:0:0:0::/64');
  });
});
