import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KeyWatch } from '../core/observability.js';
import { KEY_COUNT_CACHE_MS, ServerMetrics, type MetricSources } from './metrics.js';
import { KEY_WATCH_CACHE_MS } from './metrics-health.js';
import { KmsError } from '../core/errors.js';

function fixture(overrides: Partial<MetricSources> = {}, watchedKeys: readonly string[] = []) {
  const state = { now: 0, keyQueries: 0, unsealed: true, throttled: 0, watchQueries: 0, leader: false, storageHealthy: true, watch: { rotationOverdue: 2, materialExpiringSoon: 1, nextMaterialExpiration: new Date(90_000) } as KeyWatch };
  const metrics = new ServerMetrics({
    auditSinkLag: () => [{ sink: 'file:/var/log/arca.jsonl', lag: 12 }],
    keyWatch: () => {
      state.watchQueries += 1;
      return state.watch;
    },
    readCache: undefined,
    pool: undefined,
    leader: () => state.leader,
    storageHealthy: () => state.storageHealthy,
    auditQueueDepth: () => 3,
    unsealed: () => state.unsealed,
    keyCounts: () => {
      state.keyQueries += 1;
      return [{ state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', count: state.keyQueries }];
    },
    throttledTotal: () => state.throttled,
    now: () => state.now,
    ...overrides,
  }, watchedKeys);
  const line = async (series: string) => (await metrics.scrape()).body.split('\n').find((l) => l.startsWith(`${series} `));
  return { state, metrics, line };
}

describe('ServerMetrics', () => {
  test('per-key series exist only for the listed keys (by key id or key ARN), and none without a list', async () => {
    const arn = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
    const answered = (keyArns: string[], errorCode?: 'AccessDenied') => ({ principalArn: 'arn:aws:iam::111122223333:user/app', operation: 'Decrypt', keyArns, sourceIp: '127.0.0.1', errorCode, time: new Date(0) });
    const { metrics } = fixture({}, ['key-a', arn('key-b')]);
    metrics.observe(answered([arn('key-a')]));
    metrics.observe(answered([arn('key-a')], 'AccessDenied'));
    metrics.observe(answered([arn('key-b'), arn('key-c')]));
    metrics.observe(answered([arn('key-c')]));
    const lines = (await metrics.scrape()).body.split('\n').filter((l) => l.startsWith('arca_key_requests_total{'));
    assert.deepEqual(lines.sort(), [
      'arca_key_requests_total{key_id="key-a",operation="Decrypt",outcome="failure"} 1',
      'arca_key_requests_total{key_id="key-a",operation="Decrypt",outcome="success"} 1',
      'arca_key_requests_total{key_id="key-b",operation="Decrypt",outcome="success"} 1',
    ]);
    const unlisted = fixture().metrics;
    unlisted.observe(answered([arn('key-a')]));
    assert.ok(!(await unlisted.scrape()).body.includes('arca_key_requests_total'));
  });

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
    metrics.requestStarted()('Encrypt', new KmsError('AccessDenied', 'denied'));
    metrics.commitStarted()(5);
    assert.equal(await line('arca_requests_total{operation="Encrypt",outcome="success",error_code=""}'), 'arca_requests_total{operation="Encrypt",outcome="success",error_code=""} 2');
    assert.equal(await line('arca_requests_total{operation="Encrypt",outcome="failure",error_code="AccessDenied"}'), 'arca_requests_total{operation="Encrypt",outcome="failure",error_code="AccessDenied"} 1');
    assert.equal(await line('arca_request_duration_seconds_count{operation="Encrypt"}'), 'arca_request_duration_seconds_count{operation="Encrypt"} 3');
    assert.equal(await line('arca_audit_events_committed_total'), 'arca_audit_events_committed_total 5');
  });

  test('audit sink lag is reported per sink, labelled by the sink, not per key', async () => {
    const { line } = fixture();
    assert.equal(await line('arca_audit_sink_lag_events{sink="file:/var/log/arca.jsonl"}'), 'arca_audit_sink_lag_events{sink="file:/var/log/arca.jsonl"} 12');
  });

  test(`overdue rotations and expiring material come from one store query, reused for ${KEY_WATCH_CACHE_MS} ms`, async () => {
    const { state, line } = fixture();
    assert.equal(await line('arca_keys_rotation_overdue'), 'arca_keys_rotation_overdue 2');
    assert.equal(await line('arca_key_material_expiring_soon'), 'arca_key_material_expiring_soon 1');
    assert.equal(await line('arca_key_material_expiration_min_seconds'), 'arca_key_material_expiration_min_seconds 90');
    assert.equal(state.watchQueries, 1);
    state.watch = { rotationOverdue: 0, materialExpiringSoon: 0, nextMaterialExpiration: undefined };
    state.now += KEY_WATCH_CACHE_MS;
    assert.equal(await line('arca_keys_rotation_overdue'), 'arca_keys_rotation_overdue 0');
    assert.equal(await line('arca_key_material_expiration_min_seconds'), 'arca_key_material_expiration_min_seconds +Inf', 'no material expires');
    assert.equal(state.watchQueries, 2);
  });

  test('the read cache and pool series exist only where the store has them; leadership and storage failure are 0 or 1', async () => {
    const sqlite = fixture({ readCache: () => ({ hits: 40, misses: 10 }) });
    assert.equal(await sqlite.line('arca_read_cache_hits_total'), 'arca_read_cache_hits_total 40');
    assert.equal(await sqlite.line('arca_read_cache_misses_total'), 'arca_read_cache_misses_total 10');
    assert.equal(await sqlite.line('arca_postgres_pool_clients'), undefined);
    const pg = fixture({ pool: () => ({ total: 10, idle: 7, waiting: 2 }) });
    assert.equal(await pg.line('arca_read_cache_hits_total'), undefined);
    assert.equal(await pg.line('arca_postgres_pool_clients'), 'arca_postgres_pool_clients 10');
    assert.equal(await pg.line('arca_postgres_pool_idle_clients'), 'arca_postgres_pool_idle_clients 7');
    assert.equal(await pg.line('arca_postgres_pool_waiting_requests'), 'arca_postgres_pool_waiting_requests 2');
    assert.equal(await pg.line('arca_scheduler_leader'), 'arca_scheduler_leader 0');
    pg.state.leader = true;
    assert.equal(await pg.line('arca_scheduler_leader'), 'arca_scheduler_leader 1');
    assert.equal(await pg.line('arca_storage_failing'), 'arca_storage_failing 0');
    pg.state.storageHealthy = false;
    assert.equal(await pg.line('arca_storage_failing'), 'arca_storage_failing 1');
  });
});
