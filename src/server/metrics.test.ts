import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KEY_COUNT_CACHE_MS, ServerMetrics } from './metrics.js';

function fixture() {
  const state = { now: 0, keyQueries: 0, unsealed: true, throttled: 0 };
  const metrics = new ServerMetrics({
    auditQueueDepth: () => 3,
    unsealed: () => state.unsealed,
    keyCounts: () => {
      state.keyQueries += 1;
      return [{ state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', count: state.keyQueries }];
    },
    throttledTotal: () => state.throttled,
    now: () => state.now,
  });
  const line = async (series: string) => (await metrics.scrape()).body.split('\n').find((l) => l.startsWith(`${series} `));
  return { state, metrics, line };
}

describe('ServerMetrics', () => {
  test(`keys are counted at most once per ${KEY_COUNT_CACHE_MS} ms however often Prometheus scrapes`, async () => {
    const { state, line } = fixture();
    await line('arca_keys');
    state.now += KEY_COUNT_CACHE_MS - 1;
    assert.equal(await line('arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"}'), 'arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"} 1');
    state.now += 1;
    assert.equal(await line('arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"}'), 'arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"} 2');
    assert.equal(state.keyQueries, 2);
  });

  test('the seal, queue and throttle gauges read their sources at scrape time', async () => {
    const { state, line } = fixture();
    assert.equal(await line('arca_sealed'), 'arca_sealed 0');
    state.unsealed = false;
    state.throttled = 7;
    assert.equal(await line('arca_sealed'), 'arca_sealed 1');
    assert.equal(await line('arca_audit_queue_depth'), 'arca_audit_queue_depth 3');
    assert.equal(await line('arca_throttled_requests_total'), 'arca_throttled_requests_total 7');
  });

  test('a request is counted under its operation and error code, success with an empty code', async () => {
    const { metrics, line } = fixture();
    metrics.requestStarted()('Encrypt', undefined);
    metrics.requestStarted()('Encrypt', undefined);
    metrics.requestStarted()('Encrypt', 'AccessDenied');
    metrics.commitStarted()(5);
    assert.equal(await line('arca_requests_total{operation="Encrypt",outcome="success",error_code=""}'), 'arca_requests_total{operation="Encrypt",outcome="success",error_code=""} 2');
    assert.equal(await line('arca_requests_total{operation="Encrypt",outcome="failure",error_code="AccessDenied"}'), 'arca_requests_total{operation="Encrypt",outcome="failure",error_code="AccessDenied"} 1');
    assert.equal(await line('arca_request_duration_seconds_count{operation="Encrypt"}'), 'arca_request_duration_seconds_count{operation="Encrypt"} 3');
    assert.equal(await line('arca_audit_events_committed_total'), 'arca_audit_events_committed_total 5');
  });
});
