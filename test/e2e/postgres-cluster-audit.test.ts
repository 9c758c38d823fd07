/**
 * Issue 14: the cluster's audit trail. Two `arca server` nodes (this process) on one real PostgreSQL
 * database each write their own chain; `arca audit verify` (the built CLI, spawned asynchronously since
 * this process serves the nodes) verifies every node's chain against its own key and reports per node;
 * a row tampered in node B's chain fails node B only; ListAuditEvents with AllNodes merges both chains
 * by time and pages through them completely with its marker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { errorOf, initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const CLI = new URL('../../../bin/arca', import.meta.url).pathname;

function runCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: `${stdout}${stderr}` });
    });
  });
}

interface Verdict {
  Node: string;
  ChainId: string;
  Events: number;
  Ok: boolean;
  Result: string;
}

describeWithPostgres('the audit trail of a two-node cluster (issue 14)', (cluster) => {
  const dirs: string[] = [];
  const nodes: SealedServer[] = [];
  let admin: ClientConfig;
  let env: Record<string, string>;
  let chainOf: Record<string, string>;

  const startNode = async (url: string, name: string): Promise<SealedServer> => {
    const dir = tempDataDir();
    dirs.push(dir);
    const node = await startSealedServer(dir, { type: 'shamir' }, {}, { config: { storage: { type: 'postgres', url }, nodeName: name } });
    nodes.push(node);
    return node;
  };
  const on = (node: SealedServer): ClientConfig => ({ ...admin, endpoint: node.endpoint });
  const verify = (node: SealedServer, ...more: string[]) => runCli(['audit', 'verify', '--endpoint', node.endpoint, ...more], env);

  before(async () => {
    const url = cluster().url(await cluster().createDatabase());
    const a = await startNode(url, 'node-a');
    const b = await startNode(url, 'node-b');
    let shares: string[];
    ({ shares, admin } = await initialize(a, 3, 2));
    await unsealWith(a, shares.slice(0, 2));
    await unsealWith(b, shares.slice(0, 2));
    const creds = admin.credentials as { accessKeyId: string; secretAccessKey: string };
    env = { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: 'us-east-1' };
    // Requests through each node, interleaved, so that the chains' times interleave too.
    const keyId = String(((await callOperation(on(a), 'TrentService.CreateKey', {}))['KeyMetadata'] as { KeyId: string }).KeyId);
    for (let i = 0; i < 6; i++) {
      await callOperation(on(i % 2 === 0 ? b : a), 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from(`event ${i}`).toString('base64') });
      await callOperation(on(i % 3 === 0 ? a : b), 'TrentService.GenerateRandom', { NumberOfBytes: 8 });
    }
    // No explicit checkpoint: each node signed a tree head over its chain when it unsealed (audit-wiring.ts),
    // so either node's chain is proven up to that head when verified through the other.
    chainOf = { 'node-a': a.app.auditTrail.chainId(), 'node-b': b.app.auditTrail.chainId() };
  });

  after(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    for (const d of dirs) removeDir(d);
  });

  it('ListAuditChains lists both nodes, each with its own chain and public key', async () => {
    const [a] = nodes as [SealedServer, SealedServer];
    const listed = (await callOperation(on(a), 'ArcaService.ListAuditChains', {})) as { ThisChainId: string; Chains: { Node: string; ChainId: string; Events: number; ThisNode: boolean; PublicKey: string }[] };
    assert.equal(listed.ThisChainId, chainOf['node-a']);
    assert.deepEqual(listed.Chains.map((c) => [c.Node, c.ChainId, c.ThisNode]), [['node-a', chainOf['node-a'], true], ['node-b', chainOf['node-b'], false]]);
    assert.ok(listed.Chains.every((c) => c.Events > 5 && Buffer.from(c.PublicKey, 'base64').length === 32));
    assert.notEqual(listed.Chains[0]?.PublicKey, listed.Chains[1]?.PublicKey, 'each node signs with its own key');
  });

  it('ListAuditEvents with AllNodes merges both chains by time; paging with the marker is complete and without duplicates', async () => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const pages: AuditEvent[][] = [];
    let marker: string | undefined;
    do {
      const page = (await callOperation(on(b), 'ArcaService.ListAuditEvents', { AllNodes: true, Limit: 4, ...(marker !== undefined && { Marker: marker }) })) as { Events: AuditEvent[]; NextMarker?: string; Truncated: boolean };
      assert.equal(page.Truncated, page.NextMarker !== undefined);
      pages.push(page.Events);
      marker = page.NextMarker;
    } while (marker !== undefined && pages.length < 100);
    const merged = pages.flat();
    assert.ok(pages.length > 3 && pages.every((p) => p.length > 0 && p.length <= 4));
    // The order: time, then node (node-a < node-b), then sequence, newest first.
    const rank = (e: AuditEvent) => [e.eventTime, e.arca?.chainId === chainOf['node-a'] ? 0 : 1, e.arca?.sequence ?? 0] as const;
    for (let i = 1; i < merged.length; i++) {
      const [x, y] = [rank(merged[i - 1] as AuditEvent), rank(merged[i] as AuditEvent)];
      assert.ok(x[0] > y[0] || (x[0] === y[0] && (x[1] > y[1] || (x[1] === y[1] && x[2] > y[2]))), `event ${i} is not older than event ${i - 1}`);
    }
    const ids = merged.map((e) => e.eventID);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    // Complete: every event either node recorded before the paging began (the paging's own ListAuditEvents
    // events came after its first page, and are not looked at).
    const chainEvents = async (node: SealedServer) => (await node.app.audit.list(100_000)).filter((e) => e.eventName !== 'ListAuditEvents');
    const expected = [...(await chainEvents(a)), ...(await chainEvents(b))].map((e) => e.eventID).sort();
    assert.deepEqual(merged.filter((e) => e.eventName !== 'ListAuditEvents').map((e) => e.eventID).sort(), expected);
    assert.ok(merged.some((e) => e.arca?.chainId === chainOf['node-a']) && merged.some((e) => e.arca?.chainId === chainOf['node-b']));

    assert.equal((await errorOf(callOperation(on(a), 'ArcaService.ListAuditEvents', { AllNodes: true, Marker: Buffer.from('arca-nodes1:["2026-01-01T00:00:00.000Z","nope",1]').toString('base64url') })))?.type, 'InvalidMarkerException');
    assert.equal((await errorOf(callOperation(on(a), 'ArcaService.ListAuditEvents', { AllNodes: true, Marker: '17' })))?.type, 'InvalidMarkerException');
    const viaB = (await callOperation(on(a), 'ArcaService.ListAuditEvents', { ChainId: chainOf['node-b'], Limit: 1000 })) as { Events: AuditEvent[] };
    assert.ok(viaB.Events.length > 0 && viaB.Events.every((e) => e.arca?.chainId === chainOf['node-b']), "node A reads node B's chain");
    assert.equal((await errorOf(callOperation(on(a), 'ArcaService.ExportAuditLog', { ChainId: 'no-such-chain' })))?.type, 'NotFoundException');
  });

  it('arca audit query --all-nodes prints both nodes\' events, newest first, across pages', async () => {
    const [a] = nodes as [SealedServer, SealedServer];
    const out = await runCli(['audit', 'query', '--all-nodes', '--limit', '1500', '--endpoint', a.endpoint], env);
    assert.equal(out.code, 0, out.out);
    const events = out.out.trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    assert.ok(events.some((e) => e.arca?.chainId === chainOf['node-a']) && events.some((e) => e.arca?.chainId === chainOf['node-b']));
    assert.ok(events.every((e, i) => i === 0 || (events[i - 1] as AuditEvent).eventTime >= e.eventTime), 'newest first');
    assert.equal(new Set(events.map((e) => e.eventID)).size, events.length);
    assert.equal((await runCli(['audit', 'query', '--all-nodes', '--chain', chainOf['node-a'] ?? '', '--endpoint', a.endpoint], env)).code, 2);
  });

  it('arca audit verify reports both nodes OK, one line each; --chain verifies one; --output json', async () => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const table = await verify(a);
    assert.equal(table.code, 0, table.out);
    const lines = table.out.trim().split('\n');
    assert.equal(lines.length, 3, table.out); // the header and one line per node
    assert.match(lines[1] ?? '', new RegExp(`^node-a +${chainOf['node-a']} +\\d+ +OK: `));
    assert.match(lines[2] ?? '', new RegExp(`^node-b +${chainOf['node-b']} +\\d+ +OK: `));
    const json = await verify(b, '--output', 'json');
    assert.equal(json.code, 0, json.out);
    const report = JSON.parse(json.out) as { Ok: boolean; Chains: Verdict[] };
    assert.equal(report.Ok, true);
    assert.deepEqual(report.Chains.map((c) => [c.Node, c.ChainId, c.Ok]), [['node-a', chainOf['node-a'], true], ['node-b', chainOf['node-b'], true]]);
    const one = await verify(a, '--chain', chainOf['node-b'] ?? '', '--output', 'json');
    assert.equal(one.code, 0, one.out);
    assert.deepEqual((JSON.parse(one.out) as { Chains: Verdict[] }).Chains.map((c) => c.Node), ['node-b']);
    assert.equal((await verify(a, '--chain', 'no-such-chain')).code, 2);
  });

  it("a row tampered in node B's chain fails node B and leaves node A OK; the exit code is non-zero", async () => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const store = b.app.store;
    assert.ok(store.engine === 'postgres');
    const r = await store.pg.db.query(
      `UPDATE audit_events SET body = replace(body, '"eventName":"Encrypt"', '"eventName":"Decrypt"')
       WHERE chain_id = $1 AND seq = (SELECT MIN(seq) FROM audit_events WHERE chain_id = $1 AND event_name = 'Encrypt')`,
      [chainOf['node-b']],
    );
    assert.equal(r.rowCount, 1);
    for (const via of [a, b]) {
      const out = await verify(via, '--output', 'json');
      assert.equal(out.code, 1, out.out);
      const verdicts = (JSON.parse(out.out) as { Ok: boolean; Chains: Verdict[] }).Chains;
      assert.deepEqual(verdicts.map((c) => [c.Node, c.Ok]), [['node-a', true], ['node-b', false]]);
      assert.match(verdicts[1]?.Result ?? '', /^FAILED: modified at event \d+/);
    }
    const table = await verify(a);
    assert.equal(table.code, 1);
    assert.match(table.out, /\nnode-a +\S+ +\d+ +OK: /);
    assert.match(table.out, /\nnode-b +\S+ +\d+ +FAILED: modified at event \d+/);
  });
});
