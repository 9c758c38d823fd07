/**
 * The monitoring files committed in docs/monitoring/ (issue 16): the Prometheus alerting rules pass
 * `promtool check rules` and fire on the series they are written for (`promtool test rules`), and the
 * Grafana dashboard parses and queries only metrics Arca exports, checked against a real scrape.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ServerMetrics } from '../../src/server/metrics.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const RULES = join(ROOT, 'docs/monitoring/arca-alerts.yml');
const DASHBOARD = join(ROOT, 'docs/monitoring/arca-dashboard.json');

/** PromQL words that are not metric names. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers left once strings, label matchers, range
 * selectors, grouping clauses and numbers are removed, and not followed by `(` (functions, aggregations).
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (name !== undefined && call === undefined && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** Every series name an exposition text defines, histogram and summary parts included. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    if (name === undefined) continue;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { title: string; panels: { title: string; targets?: { expr: string }[] }[] };
  assert.equal(dashboard.title, 'Arca');
  assert.ok(dashboard.panels.length >= 10);
  for (const p of dashboard.panels) assert.ok((p.targets ?? []).length > 0, `panel "${p.title}" has a query`);
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

function ruleExprs(): { alert: string; expr: string }[] {
  const rules = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules);
}

describe('metricNames', () => {
  it('finds the metrics of an expression and nothing else', () => {
    assert.deepEqual(
      metricNames('histogram_quantile(0.99, sum by (le, operation) (rate(arca_request_duration_seconds_bucket{instance=~"$instance",x="a b"}[$__rate_interval]))) / on (instance) arca_sealed > 7 * 86400'),
      ['arca_request_duration_seconds_bucket', 'arca_sealed'],
    );
  });
});

describe('the dashboard and the alert rules query only metrics Arca exports (a real scrape)', () => {
  let s: InProcessServer;
  let names: Set<string>;
  before(async () => {
    // With a backup schedule (one a day: it does not fire here), so that the arca_backup_* series exist.
    s = await startInProcess({ metrics: {}, backup: { schedule: { every: 86_400_000 } } });
    // Labelled series appear once used: one success and one failure.
    await rawRequest(s, { target: 'TrentService.ListKeys', body: '{}' });
    await rawRequest(s, { target: 'TrentService.ListKeys', body: '{}', sign: false });
    const res = await fetch(`${s.endpoint}/metrics`);
    names = exported(await res.text());
    // The PostgreSQL pool's gauges exist only on PostgreSQL: the same ServerMetrics with a pool defines them.
    const withPool = new ServerMetrics({
      auditQueueDepth: () => 0, unsealed: () => true, keyCounts: () => [], throttledTotal: () => 0, auditSinkLag: () => [],
      keyWatch: () => ({ rotationOverdue: 0, materialExpiringSoon: 0, nextMaterialExpiration: undefined }), readCache: undefined,
      pool: () => ({ total: 1, idle: 1, waiting: 0 }), leader: () => true, storageHealthy: () => true, now: () => 0,
    });
    for (const n of exported((await withPool.scrape()).body)) if (n.startsWith('arca_postgres_pool_')) names.add(n);
  });
  after(() => s.close());

  it('the dashboard parses, every panel has a query, and each query names exported metrics only', () => {
    const used = dashboardExprs().flatMap(metricNames);
    assert.ok(used.length >= 20);
    const unknown = [...new Set(used)].filter((n) => !names.has(n));
    assert.deepEqual(unknown, [], 'the dashboard queries metrics Arca does not export');
  });

  it('docs/monitoring.md documents every arca_ metric exported', () => {
    const doc = readFileSync(join(ROOT, 'docs/monitoring.md'), 'utf8');
    const base = [...names].filter((n) => n.startsWith('arca_') && !/_(bucket|sum|count)$/.test(n));
    assert.ok(base.length >= 15);
    assert.deepEqual(base.filter((n) => !doc.includes(`\`${n}\``)), [], 'missing from the metrics reference');
  });

  it('each alert rule names exported metrics only (and Prometheus\'s own up)', () => {
    const rules = ruleExprs();
    for (const r of rules) {
      const unknown = metricNames(r.expr).filter((n) => n !== 'up' && !names.has(n));
      assert.deepEqual(unknown, [], `alert ${r.alert}`);
    }
    for (const alert of ['ArcaSealed', 'ArcaStorageFailing', 'ArcaAuditQueueGrowing', 'ArcaAuditSinkLagging', 'ArcaKeyRotationOverdue', 'ArcaKeyMaterialExpiringSoon', 'ArcaHighErrorRate', 'ArcaBackupFailing', 'ArcaBackupStale']) {
      assert.ok(rules.some((r) => r.alert === alert), `the rules file has ${alert}`);
    }
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0 ? undefined : 'promtool is not on PATH; apt-get install prometheus';
if (promtool !== undefined && process.env['CI'] === 'true') {
  describe('promtool', () => it('needs promtool', () => assert.fail(`CI=true: ${promtool}`)));
} else {
  describe('the alerting rules under promtool', { skip: promtool }, () => {
    const dir = tempDataDir('arca-promtool-');
    after(() => removeDir(dir));

    it('promtool check rules accepts docs/monitoring/arca-alerts.yml', () => {
      const r = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });

    it('the alerts fire on the series they watch, and stay quiet on healthy ones (promtool test rules)', () => {
      const series = (name: string, values: string) => `      - series: '${name}{job="arca",instance="a:8420"}'\n        values: '${values}'`;
      const fires = (alert: string, at: string) => `      - eval_time: ${at}\n        alertname: ${alert}\n        exp_alerts:\n          - exp_labels: { severity: ${alert === 'ArcaSealed' || alert === 'ArcaStorageFailing' ? 'critical' : 'warning'}${alert === 'ArcaSealed' || alert === 'ArcaStorageFailing' || alert === 'ArcaAuditQueueGrowing' ? ', job: arca, instance: "a:8420"' : ''}${alert === 'ArcaAuditSinkLagging' ? ', job: arca, instance: "a:8420", sink: "file:/x"' : ''} }`;
      const quiet = (alert: string, at: string) => `      - eval_time: ${at}\n        alertname: ${alert}\n        exp_alerts: []`;
      // The rules without their annotations (promtool compares those too): what is tested is expr, for and labels.
      const bare = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] };
      for (const g of bare.groups) for (const r of g.rules) delete r['annotations'];
      const rules = join(dir, 'rules.yml');
      writeFileSync(rules, JSON.stringify(bare));
      const test = [
        `rule_files: ['${rules}']`,
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        series('arca_sealed', '0 0 1x10'),
        series('arca_storage_failing', '0x5 1x5'),
        series('arca_audit_queue_depth', '500x20'),
        `      - series: 'arca_audit_sink_lag_events{job="arca",instance="a:8420",sink="file:/x"}'\n        values: '5000x20'`,
        series('arca_keys_rotation_overdue', '0x200'),
        series('arca_key_material_expiration_min_seconds', `${30 * 86400}x5 ${3 * 86400}x5`),
        // Backups every hour: a failure at 31m; the last success at 1m, so stale (over 2 h) from 121m, firing 10m later.
        series('arca_backup_failures_total', '0x30 1x200'),
        series('arca_backup_schedule_interval_seconds', '3600x250'),
        series('arca_backup_last_success_timestamp_seconds', '0 60x250'),
        '    alert_rule_test:',
        quiet('ArcaSealed', '1m'),
        fires('ArcaSealed', '5m'),
        quiet('ArcaStorageFailing', '5m'),
        fires('ArcaStorageFailing', '8m'),
        fires('ArcaAuditQueueGrowing', '12m'),
        fires('ArcaAuditSinkLagging', '12m'),
        quiet('ArcaKeyRotationOverdue', '120m'),
        quiet('ArcaKeyMaterialExpiringSoon', '3m'),
        fires('ArcaKeyMaterialExpiringSoon', '7m'),
        quiet('ArcaBackupFailing', '20m'),
        `      - eval_time: 40m\n        alertname: ArcaBackupFailing\n        exp_alerts:\n          - exp_labels: { severity: warning, job: arca, instance: "a:8420" }`,
        quiet('ArcaBackupFailing', '100m'),
        quiet('ArcaBackupStale', '100m'),
        quiet('ArcaBackupStale', '125m'),
        `      - eval_time: 135m\n        alertname: ArcaBackupStale\n        exp_alerts:\n          - exp_labels: { severity: critical }`,
      ].join('\n');
      const file = join(dir, 'arca-alerts.test.yml');
      writeFileSync(file, test + '\n');
      const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
  });
}
