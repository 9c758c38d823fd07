import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportLines, verifyExport } from '../../src/audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../../src/core/audit.js';
import { treeHeadSigningBytes } from '../../src/core/audit.js';
import { ed25519Verify } from '../../src/crypto/ed25519.js';
import { verifyConsistency, verifyInclusion } from '../../src/crypto/merkle.js';
import { OPERATIONS } from '../../src/service/pipeline/registry.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { sqliteOf } from '../helpers/in-process.js';

const CANARY = 'canary-plaintext-5e1d0b';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');

interface ExportPage {
  Entries: { Sequence: number; LeafHash: string; Event?: AuditEvent }[];
  NextSequence?: number;
  ChainId: string;
  PublicKey: string;
  TreeHeads: TreeHead[];
}

async function call(s: InProcessServer, target: string, input: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await rawRequest(s, { target, body: JSON.stringify(input) });
  return { status: res.status, json: res.json() };
}

/** The whole trail as export lines, fetched through the API. */
async function exportAll(s: InProcessServer): Promise<{ lines: string[]; publicKey: Buffer }> {
  const entries: { sequence: number; leafHash: string; event?: AuditEvent }[] = [];
  let from: number | undefined = 1;
  let first: ExportPage | undefined;
  while (from !== undefined) {
    const page = (await call(s, 'ArcaService.ExportAuditLog', { FromSequence: from, Limit: 1000 })).json as unknown as ExportPage;
    first ??= page;
    for (const e of page.Entries) entries.push({ sequence: e.Sequence, leafHash: e.LeafHash, event: e.Event });
    from = page.NextSequence;
  }
  assert.ok(first);
  return { lines: exportLines({ arcaAuditExport: 1, chainId: first.ChainId, publicKey: first.PublicKey }, entries, first.TreeHeads), publicKey: Buffer.from(first.PublicKey, 'base64') };
}

describe('the verifiable audit trail', () => {
  let s: InProcessServer;
  let keyId = '';
  const count = () => sqliteOf(s.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? -1;
  const last = async (): Promise<AuditEvent> => (await s.app.audit.list(1_000_000)).at(-1) as AuditEvent;

  before(async () => {
    // Every operation is called unsigned and while sealed: more unauthenticated failures from one source than
    // the default burst, past which the limiter records them as summaries (tested in its own spec), not one each.
    s = await startInProcess({ audit: { checkpointEvery: 50 }, limits: { unauthenticatedBurst: 10_000 } });
    keyId = String(((await call(s, 'TrentService.CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
  });
  after(() => s.close());

  it('every operation emits exactly one event: signed, unsigned and while sealed', async () => {
    assert.ok(OPERATIONS.length >= 25);
    // A scratch key: the signed variant really runs DisableKey and friends.
    const scratch = String(((await call(s, 'TrentService.CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
    for (const op of OPERATIONS) {
      const target = `${op.service}.${op.name}`;
      for (const variant of ['signed', 'unsigned', 'sealed'] as const) {
        const n = count();
        if (variant === 'sealed') s.app.hierarchy.seal();
        try {
          const res = await rawRequest(s, { target, body: JSON.stringify({ KeyId: scratch, Plaintext: CANARY_B64 }), sign: variant !== 'unsigned' });
          assert.equal(count(), n + 1, `${target} (${variant}) → exactly one event`);
          const e = await last();
          assert.equal(e.eventName, op.name);
          assert.equal(e.requestID, res.headers.get('x-amzn-requestid'));
          // The seal operations answer without authentication and while sealed.
          const open = op.authentication === 'none';
          if (variant === 'unsigned' && op.authentication === 'required') assert.equal(e.errorCode, 'MissingAuthentication');
          if (variant === 'sealed' && !open) assert.equal(e.errorCode, 'Sealed');
        } finally {
          if (variant === 'sealed') await s.app.hierarchy.open();
        }
      }
    }
  });

  it('events carry their CloudTrail fields and their place in the trail', async () => {
    await call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: CANARY_B64, EncryptionContext: { app: 'trail' } });
    const e = await last();
    assert.equal(e.eventVersion, '1.08');
    assert.equal(e.eventSource, 'kms');
    assert.equal(e.eventCategory, 'Management');
    assert.equal(e.readOnly, true);
    assert.equal(e.userIdentity.type, 'IAMUser');
    assert.equal(e.resources[0]?.ARN, `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    assert.equal(e.arca?.sequence, count());
    assert.equal(e.arca?.chainId, s.app.audit.chainId);
    assert.match(e.arca?.leafHash ?? '', /^[0-9a-f]{64}$/);
  });

  it('a mutation whose event cannot be made durable fails with a 5xx and changes nothing', async () => {
    const n = count();
    sqliteOf(s.app).exec(`CREATE TRIGGER audit_fails BEFORE INSERT ON audit_events BEGIN SELECT RAISE(FAIL, 'simulated disk failure'); END`);
    try {
      const created = await call(s, 'TrentService.CreateAlias', { AliasName: 'alias/never', TargetKeyId: keyId });
      assert.equal(created.status, 500);
      const disabled = await call(s, 'TrentService.DisableKey', { KeyId: keyId });
      assert.equal(disabled.status, 500);
      const newKey = await call(s, 'TrentService.CreateKey', { Description: 'never' });
      assert.equal(newKey.status, 500);
      const enc = await call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: CANARY_B64 });
      assert.equal(enc.status, 500);
      assert.equal(enc.json['CiphertextBlob'], undefined, 'no success without its event');
    } finally {
      sqliteOf(s.app).exec('DROP TRIGGER audit_fails');
    }
    assert.equal(count(), n, 'no event was written');
    const aliases = await call(s, 'TrentService.ListAliases', {});
    assert.ok(!JSON.stringify(aliases.json).includes('alias/never'), 'the alias was rolled back');
    const described = await call(s, 'TrentService.DescribeKey', { KeyId: keyId });
    assert.equal((described.json['KeyMetadata'] as { KeyState: string }).KeyState, 'Enabled', 'the key state was rolled back');
    const keys = sqliteOf(s.app).prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM keys WHERE description = 'never'").get()?.n;
    assert.equal(keys, 0, 'the key creation was rolled back');
    assert.equal((await call(s, 'TrentService.CreateAlias', { AliasName: 'alias/after', TargetKeyId: keyId })).status, 200, 'serves again');
  });

  it('1,000 concurrent Encrypt calls → 1,000 events, a gap-free sequence and one valid tree', async () => {
    const n = count();
    const results = await Promise.all(Array.from({ length: 1000 }, () => call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: CANARY_B64 })));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(count(), n + 1000);
    const seqs = sqliteOf(s.app).prepare<[], { seq: number }>('SELECT seq FROM audit_events ORDER BY seq').all().map((r) => r.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    const { lines, publicKey } = await exportAll(s);
    const report = verifyExport(lines, publicKey);
    assert.equal(report.ok, true, JSON.stringify(report.divergence));
    assert.ok(report.treeHeads >= 2, 'tree heads were checkpointed as events accumulated');
    assert.equal(report.unsignedTail, report.events - report.verifiedTreeSize);
  });

  it('GetAuditProof: an inclusion proof against a signed tree head, and a consistency proof between two heads', async () => {
    // A signed head that exists now (the latest, or one signed on demand): its size depends on group commits.
    const earlier = ((await call(s, 'ArcaService.GetAuditProof', { Sequence: 1 })).json['TreeHead'] as { TreeSize: number }).TreeSize;
    await call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: CANARY_B64 });
    const target = await last();
    const proof = (await call(s, 'ArcaService.GetAuditProof', { EventId: target.eventID })).json;
    const head = proof['TreeHead'] as { TreeSize: number; RootHash: string; Timestamp: string; Signature: string };
    const publicKey = Buffer.from(String(proof['PublicKey']), 'base64');
    assert.ok(head.TreeSize >= (target.arca?.sequence ?? Infinity), 'a head covering the event was signed on demand');
    const unsigned = { chainId: String(proof['ChainId']), treeSize: head.TreeSize, rootHash: head.RootHash, timestamp: head.Timestamp };
    assert.ok(ed25519Verify(publicKey, treeHeadSigningBytes(unsigned), Buffer.from(head.Signature, 'base64')));
    const path = (proof['InclusionProof'] as string[]).map((h) => Buffer.from(h, 'hex'));
    assert.ok(verifyInclusion(Buffer.from(String(proof['LeafHash']), 'hex'), Number(proof['LeafIndex']), head.TreeSize, path, Buffer.from(head.RootHash, 'hex')));
    assert.equal(proof['LeafHash'], target.arca?.leafHash);

    assert.ok(earlier < head.TreeSize, 'the later head covers the new event');
    const c = (await call(s, 'ArcaService.GetAuditProof', { FirstTreeSize: earlier, TreeSize: head.TreeSize })).json;
    const first = c['FirstTreeHead'] as { TreeSize: number; RootHash: string };
    const cproof = (c['ConsistencyProof'] as string[]).map((h) => Buffer.from(h, 'hex'));
    assert.equal(first.TreeSize, earlier);
    assert.ok(verifyConsistency(earlier, head.TreeSize, Buffer.from(first.RootHash, 'hex'), Buffer.from(head.RootHash, 'hex'), cproof));
    assert.equal((await call(s, 'ArcaService.GetAuditProof', { EventId: 'no-such-event' })).json['__type'], 'NotFoundException');
  });

  it('ListAuditEvents filters by key, operation, outcome, principal, source IP and time, newest first, with pagination', async () => {
    const page1 = (await call(s, 'ArcaService.ListAuditEvents', { KeyId: keyId, EventName: 'Encrypt', Outcome: 'Success', Limit: 5 })).json;
    const events = page1['Events'] as AuditEvent[];
    assert.equal(events.length, 5);
    assert.ok(events.every((e) => e.eventName === 'Encrypt' && e.errorCode === undefined && e.resources.some((r) => r.ARN.endsWith(keyId))));
    const seqs = events.map((e) => e.arca?.sequence ?? 0);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
    const page2 = (await call(s, 'ArcaService.ListAuditEvents', { KeyId: keyId, EventName: 'Encrypt', Outcome: 'Success', Limit: 5, Marker: page1['NextMarker'] })).json;
    assert.ok(((page2['Events'] as AuditEvent[])[0]?.arca?.sequence ?? Infinity) < Math.min(...seqs));
    const failures = (await call(s, 'ArcaService.ListAuditEvents', { Outcome: 'Failure', ErrorCode: 'MissingAuthentication' })).json['Events'] as AuditEvent[];
    assert.ok(failures.length > 0 && failures.every((e) => e.errorCode === 'MissingAuthentication'));
    const byPrincipal = (await call(s, 'ArcaService.ListAuditEvents', { Principal: 'arn:aws:iam::111122223333:user/admin', SourceIPAddress: '127.0.0.1', Limit: 3 })).json['Events'] as AuditEvent[];
    assert.equal(byPrincipal.length, 3);
    const future = (await call(s, 'ArcaService.ListAuditEvents', { StartTime: '2999-01-01T00:00:00Z' })).json['Events'] as AuditEvent[];
    assert.equal(future.length, 0);
  });

  it('GetKeyLastUsage reports the last successful cryptographic use from the trail', async () => {
    await call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: CANARY_B64 });
    const used = await last();
    const r = (await call(s, 'TrentService.GetKeyLastUsage', { KeyId: keyId })).json;
    const usage = r['KeyLastUsage'] as { Operation: string; CloudTrailEventId: string; KmsRequestId: string };
    assert.equal(usage.Operation, 'Encrypt');
    assert.equal(usage.CloudTrailEventId, used.eventID);
    assert.equal(usage.KmsRequestId, used.requestID);
    const fresh = String(((await call(s, 'TrentService.CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
    assert.equal((await call(s, 'TrentService.GetKeyLastUsage', { KeyId: fresh })).json['KeyLastUsage'], undefined);
  });

  it('retention drops old event bodies but keeps every tree head verifiable', async () => {
    const pruned = await s.app.audit.prune('9999-01-01T00:00:00.000Z');
    assert.ok(pruned > 1000);
    await call(s, 'TrentService.GenerateRandom', { NumberOfBytes: 8 });
    const { lines, publicKey } = await exportAll(s);
    const report = verifyExport(lines, publicKey);
    assert.equal(report.ok, true, JSON.stringify(report.divergence));
    assert.ok(lines.filter((l) => l.startsWith('{"pruned"')).length >= pruned);
  });

  it('a canary plaintext and the secret key never appear in events, logs or exports', async () => {
    const { lines } = await exportAll(s);
    const all = [lines.join('\n'), JSON.stringify(s.app.audit.list(1_000_000)), s.logs.join('\n')].join('\n');
    for (const secret of [CANARY, CANARY_B64, s.credentials.secretAccessKey]) assert.ok(!all.includes(secret), 'a secret leaked into the trail');
  });
});

describe('tree head checkpoints', () => {
  it('are signed on the interval while events arrive, and not re-signed when nothing is new', async () => {
    const s = await startInProcess({ audit: { checkpointEvery: 1000, checkpointIntervalMs: 100 } });
    try {
      const heads = () => sqliteOf(s.app).prepare<[], { tree_size: number }>('SELECT tree_size FROM audit_tree_heads ORDER BY tree_size').all().map((r) => r.tree_size);
      await call(s, 'TrentService.GenerateRandom', { NumberOfBytes: 4 });
      for (let i = 0; i < 100 && heads().length === 0; i++) await new Promise((ok) => setTimeout(ok, 50));
      assert.deepEqual(heads(), [1]);
      await new Promise((ok) => setTimeout(ok, 300));
      assert.deepEqual(heads(), [1], 'no new events, no new head');
    } finally {
      await s.close();
    }
  });
});
