import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServerConfig } from './config.js';
import { DEFAULT_LIMITS, parseLimitFlags } from './limits.js';

const base = 'dataDir: /d\nlisten: 127.0.0.1:1\ntls: { enabled: false }\n';

describe('limits configuration', () => {
  it('has documented defaults', () => {
    assert.deepEqual(DEFAULT_LIMITS, {
      unauthenticatedPerSecond: 20,
      unauthenticatedBurst: 200,
      unauthenticatedTotalPerSecond: 200,
      unauthenticatedTotalBurst: 2000,
      trackedSources: 10_000,
      throttleSummaryIntervalMs: 10_000,
      maxConnections: 4096,
      maxConnectionsPerSource: 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
    });
  });

  it('reads the limits: section of arca.yaml, filling in the defaults', () => {
    const r = loadServerConfig(`${base}limits:\n  maxConnectionsPerSource: 32\n  unauthenticatedBurst: 10\n`, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config.limits, { ...DEFAULT_LIMITS, maxConnectionsPerSource: 32, unauthenticatedBurst: 10 });
  });

  it('reports every bad limit at once', () => {
    const r = loadServerConfig(`${base}limits:\n  maxConnections: 0\n  headersTimeoutMs: 60000\n  requestTimeoutMs: 1000\n  maxConnectionPerSource: 3\n`, {});
    assert.ok(!r.ok);
    const errors = r.errors.join(' | ');
    assert.match(errors, /limits\.maxConnections:/);
    assert.match(errors, /limits: Unrecognized key/);
  });

  it('arca dev --limit name=value uses the same names and checks', () => {
    assert.deepEqual(parseLimitFlags(['maxConnectionsPerSource=8', 'headersTimeoutMs=500']), { limits: { ...DEFAULT_LIMITS, maxConnectionsPerSource: 8, headersTimeoutMs: 500 }, errors: [] });
    const bad = parseLimitFlags(['maxConnections', 'nope=1', 'headersTimeoutMs=40000']);
    assert.equal(bad.errors.length, 3, bad.errors.join(' | '));
    assert.match(bad.errors[0] ?? '', /name=number/);
    assert.match(bad.errors.join(' | '), /headersTimeoutMs must not exceed requestTimeoutMs/);
  });
});
