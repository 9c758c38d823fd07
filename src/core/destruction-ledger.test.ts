import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519Sign, generateEd25519 } from '../crypto/ed25519.js';
import type { BackupHeader } from './backup-file.js';
import { checkLedgerSigner, checkLedgerSite, encodeLedger, LEDGER_FORMAT, verifyLedger, type LedgerBody } from './destruction-ledger.js';

const key = generateEd25519();
const body: LedgerBody = {
  format: LEDGER_FORMAT,
  createdAt: '2026-01-01T00:00:00.000Z',
  source: { engine: 'sqlite', location: '/var/lib/arca', host: 'h' },
  root: { kind: 'shamir', fingerprint: 'share-set:01' },
  site: 'domain-key-1:aa',
  signer: { publicKey: key.publicKey.toString('base64'), chainId: 'c' },
  destructions: [{ keyId: 'k1', keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k1', versions: [1, 2], destroyedAt: '2026-01-01T00:00:00.000Z', state: 'PendingDeletion', deletionDate: null }],
};
const file = encodeLedger(body, (m) => ed25519Sign(key.privateKeyDer, m));
const header: Pick<BackupHeader, 'root'> = { root: { kind: 'shamir', fingerprint: 'share-set:01' } };

describe('the destruction ledger file', () => {
  it('round-trips: verifies with the key its body names', () => {
    const v = verifyLedger(file);
    assert.deepEqual(v.body, body);
    assert.ok(v.publicKey.equals(key.publicKey));
  });

  it('verify fails if a byte of the body, or of the signature, changes', () => {
    const outer = JSON.parse(file.toString()) as { body: string; signature: string };
    const changed = (o: object) => Buffer.from(JSON.stringify({ ...outer, ...o }));
    assert.throws(() => verifyLedger(changed({ body: outer.body.replace('"versions":[1,2]', '"versions":[1]') })), /does not verify/);
    const sig = Buffer.from(outer.signature, 'base64');
    sig[0] = (sig[0] ?? 0) ^ 1;
    assert.throws(() => verifyLedger(changed({ signature: sig.toString('base64') })), /does not verify/);
  });

  it('verify refuses another file or format, and a malformed entry', () => {
    assert.throws(() => verifyLedger(Buffer.from('ARCABAK1...')), /not JSON/);
    assert.throws(() => verifyLedger(Buffer.from(JSON.stringify({ format: 'other', body: '{}', signature: '' }))), /not a destruction ledger of format/);
    const bad = encodeLedger({ ...body, destructions: [{ ...body.destructions[0]!, destroyedAt: 'yesterday' }] }, (m) => ed25519Sign(key.privateKeyDer, m));
    assert.throws(() => verifyLedger(bad), /malformed/);
  });

  it('belongs to a backup under the same root fingerprint, or the same site after a rekey, and with a trusted signer only', () => {
    const v = verifyLedger(file);
    const rekeyed = { root: { kind: 'shamir' as const, fingerprint: 'share-set:02' } };
    checkLedgerSite(v, header, 'domain-key-1:bb');
    checkLedgerSite(v, rekeyed, 'domain-key-1:aa');
    assert.throws(() => checkLedgerSite(v, rekeyed, 'domain-key-1:bb'), /exported from another site/);
    assert.throws(() => checkLedgerSite(v, rekeyed, undefined), /exported from another site/);
    checkLedgerSigner(v, [Buffer.alloc(32, 1), key.publicKey]);
    assert.throws(() => checkLedgerSigner(v, [Buffer.alloc(32, 1)]), /no audit trail key/);
  });
});
