import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { clusterRatios, projection, type Costs } from '../../bench/lib/cluster-report.js';
import { processCpuSeconds, treeCpuSeconds } from '../../bench/lib/proc-cpu.js';
import type { Row } from '../../bench/lib/report.js';

/** A child that burns `seconds` of its own CPU, then says so and waits until its stdin closes. */
function burner(seconds: number) {
  const script = `const t = ${seconds * 1e6}; while (process.cpuUsage().user + process.cpuUsage().system < t); process.stdout.write('burnt\\n'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const burnt = new Promise<void>((ok) => child.stdout.once('data', () => ok()));
  return { child, burnt };
}

const linux = process.platform === 'linux' ? false : 'reads /proc';

describe('cluster benchmark: CPU accounting from /proc (bench/lib/proc-cpu.ts)', { skip: linux }, () => {
  it("counts a living child's CPU in its parent's tree, not in the parent's own", async () => {
    const ownBefore = processCpuSeconds(process.pid);
    const treeBefore = treeCpuSeconds(process.pid);
    const { child, burnt } = burner(0.4);
    await burnt;
    const ownDelta = processCpuSeconds(process.pid) - ownBefore;
    const treeDelta = treeCpuSeconds(process.pid) - treeBefore;
    child.stdin.end();
    await once(child, 'exit');
    assert.ok(treeDelta - ownDelta >= 0.3, `tree ${treeDelta} s, own ${ownDelta} s`);
    assert.ok(child.pid !== undefined && processCpuSeconds(child.pid) === 0, 'a process that is gone has used nothing');
  });

  it('still counts a child that exited between two samples (its reaped CPU)', async () => {
    const before = treeCpuSeconds(process.pid) - processCpuSeconds(process.pid);
    const { child, burnt } = burner(0.4);
    await burnt;
    child.stdin.end();
    await once(child, 'exit');
    // libuv reaps the child on SIGCHLD, which may come a moment after 'exit' is seen.
    let after = 0;
    for (let i = 0; i < 50; i++) {
      after = treeCpuSeconds(process.pid) - processCpuSeconds(process.pid);
      if (after - before >= 0.3) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.ok(after - before >= 0.3, `children's CPU grew by ${after - before} s`);
  });
});

describe('cluster benchmark: ratios and projection (bench/lib/cluster-report.ts)', () => {
  const row = (server: string, operation: string, rps: number): Row => ({ server, operation, payload: '4 KiB', connections: 64, rps, p50ms: 1, p99ms: 2, requests: rps, errors: 0 });

  it('gives 2 nodes / 1 node and PostgreSQL / SQLite per workload', () => {
    const ratios = clusterRatios([row('sqlite x1', 'Encrypt', 4000), row('postgres x1', 'Encrypt', 1000), row('postgres x2', 'Encrypt', 1500), row('sqlite x1', 'Mixed', 3000)]);
    assert.equal(ratios['Encrypt: postgres x2 / postgres x1'], 1.5);
    assert.equal(ratios['Encrypt: postgres x1 / sqlite x1'], 0.25);
    assert.equal(ratios['Encrypt: postgres x2 / sqlite x1'], 0.38);
    assert.equal(ratios['Mixed: postgres x2 / postgres x1'], undefined, 'a configuration not measured gives no ratio');
  });

  it('projects N nodes as min(N × node ceiling, C × PostgreSQL per-core ceiling)', () => {
    const costs: Costs = { configuration: 'postgres x2', operation: 'Encrypt', nodes: 2, nodeCpuPer1000: 1.5, pgCpuPer1000: 0.5, loadCpuPer1000: 0.1, machineBusy: 1, otherCpuShare: 0, walBytesPerRequest: 2000, requestsPerWriteTransaction: 20 };
    const p = projection(costs);
    assert.equal(p.nodeRps, 667);
    assert.equal(p.pgRpsPerCore, 2000);
    assert.equal(p.nodesPerPgCore, 3);
    assert.deepEqual(p.byPgCores.find((b) => b.pgCores === 4), { pgCores: 4, ceilingRps: 8000, nodesToSaturate: 12 });
  });
});
