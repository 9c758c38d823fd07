import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportLines, verifyExport, type DivergenceKind } from '../../src/audit/verify-log.js';
import { canonicalEventBytes, type AuditEvent } from '../../src/core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../src/crypto/ed25519.js';
import { leafHash } from '../../src/crypto/merkle.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { sqliteAuditWriter } from '../../src/server/audit-wiring.js';
import { SqliteAuditTrail } from '../../src/store/sqlite/sqlite-audit-trail.js';

function draft(i: number): AuditEvent {
  return {
    eventVersion: '1.08',
    eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    eventSource: 'kms',
    eventName: i % 2 === 0 ? 'Encrypt' : 'Decrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.7',
    userAgent: 'tamper-test',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE' },
    requestParameters: { keyId: 'k', encryptionContext: { n: String(i) } },
    responseElements: i % 3 === 0 ? null : { keyId: 'arn:aws:kms:us-east-1:111122223333:key/k' },
    errorCode: i % 4 === 3 ? 'AccessDenied' : undefined,
    errorMessage: i % 4 === 3 ? 'denied' : undefined,
    requestID: `req-${i}`,
    eventID: `evt-${i}`,
    resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/k', type: 'AWS::KMS::Key' }],
    readOnly: true,
    eventCategory: 'Management',
  };
}

/** A sample trail of `n` events with tree heads every `every` events and at the end, exported. */
async function sampleLog(n = 10, every = 3): Promise<{ lines: string[]; publicKey: Buffer }> {
  const db = openDatabase(':memory:');
  const log = await sqliteAuditWriter(db, { clock: { now: () => new Date(Date.UTC(2026, 0, 2)) }, checkpointEvery: every });
  const pair = generateEd25519();
  log.attachSigner({ publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) });
  for (let i = 1; i <= n; i++) await log.append(draft(i));
  await log.checkpoint();
  const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => undefined, () => undefined, []);
  const lines = exportLines({ arcaAuditExport: 1, chainId: log.chainId, publicKey: pair.publicKey.toString('base64') }, await trail.entriesInRange(1, 100), await trail.treeHeads());
  db.close();
  return { lines, publicKey: pair.publicKey };
}

const kindOf = (lines: readonly string[], key: Buffer): DivergenceKind | 'ok' => {
  const r = verifyExport(lines, key);
  return r.ok ? 'ok' : (r.divergence?.kind ?? 'ok');
};

describe('audit log tamper evidence', () => {
  it('an untouched sample log verifies', async () => {
    const { lines, publicKey } = await sampleLog();
    const r = verifyExport(lines, publicKey);
    assert.equal(r.ok, true, JSON.stringify(r.divergence));
    assert.deepEqual([r.events, r.treeHeads, r.verifiedTreeSize, r.unsignedTail], [10, 4, 10, 0]);
    assert.equal(lines.length, 1 + 10 + 4);
  });

  it('flipping any byte of any line (header, events, tree heads) is detected', async () => {
    const { lines, publicKey } = await sampleLog(5, 2);
    let flips = 0;
    for (const [li, line] of lines.entries()) {
      const bytes = Buffer.from(line, 'utf8');
      for (let b = 0; b < bytes.length; b++) {
        for (const mask of [b % 2 === 0 ? 0x01 : 0x80]) {
          const copy = Buffer.from(bytes);
          copy[b] = (copy[b] ?? 0) ^ mask;
          const tampered = [...lines];
          tampered[li] = copy.toString('utf8');
          const r = verifyExport(tampered, publicKey);
          assert.equal(r.ok, false, `flip ${mask} of byte ${b} of line ${li + 1} went unnoticed: ${copy.toString('utf8')}`);
          flips++;
        }
      }
    }
    assert.ok(flips > 3000);
  });

  it('names deletion, reordering, insertion, duplication and truncation', async () => {
    const { lines, publicKey } = await sampleLog();
    const ev = (seq: number): string => lines[seq] as string; // line 0 is the header
    const heads = lines.slice(11);
    const events = (seqs: number[], extra: string[] = heads): string[] => [lines[0] as string, ...seqs.map(ev), ...extra];
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    assert.equal(kindOf(events(all.filter((s) => s !== 5)), publicKey), 'missing');
    assert.equal(verifyExport(events(all.filter((s) => s !== 5)), publicKey).divergence?.sequence, 5);
    assert.equal(kindOf(events([1, 2, 3, 5, 4, 6, 7, 8, 9, 10]), publicKey), 'reordered');
    assert.equal(verifyExport(events([1, 2, 3, 5, 4, 6, 7, 8, 9, 10]), publicKey).divergence?.sequence, 4);
    assert.equal(kindOf(events([1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10]), publicKey), 'duplicated');
    const forged = JSON.stringify({ ...(JSON.parse(ev(3)) as AuditEvent), eventID: 'forged', eventName: 'DisableKey' });
    assert.equal(kindOf([...events([1, 2, 3, 4, 5]), forged, ...events([6, 7, 8, 9, 10]).slice(1)], publicKey), 'inserted');
    assert.equal(kindOf(events([1, 2, 3, 4, 5, 6, 7, 8]), publicKey), 'truncated');
    assert.equal(verifyExport(events([1, 2, 3, 4, 5, 6, 7, 8]), publicKey).divergence?.sequence, 9);
    assert.equal(kindOf(events(all, []), publicKey), 'unsigned');
  });

  it('an edit that recomputes the leaf hash is still caught by the signed root, narrowed to a range', async () => {
    const { lines, publicKey } = await sampleLog();
    const e = JSON.parse(lines[5] as string) as AuditEvent;
    const edited: AuditEvent = { ...e, sourceIPAddress: '203.0.113.9' };
    const arca = { sequence: e.arca?.sequence ?? 0, chainId: e.arca?.chainId ?? '', leafHash: '' };
    const rehashed = { ...edited, arca: { ...arca, leafHash: leafHash(canonicalEventBytes({ ...edited, arca })).toString('hex') } };
    const tampered = [...lines];
    tampered[5] = JSON.stringify(rehashed);
    const r = verifyExport(tampered, publicKey);
    assert.equal(r.divergence?.kind, 'modified');
    assert.deepEqual([r.divergence?.sequence, r.divergence?.toSequence], [4, 6]);
    assert.equal(r.verifiedTreeSize, 3);
  });

  it('a log signed by another key, or a tree head moved to another trail, is refused', async () => {
    const { lines } = await sampleLog();
    assert.equal(kindOf(lines, generateEd25519().publicKey), 'malformed');
    const other = await sampleLog();
    const mixed = [...lines.slice(0, 11), ...other.lines.slice(11)];
    const { publicKey } = other;
    assert.notEqual(kindOf(mixed, publicKey), 'ok');
  });
});
