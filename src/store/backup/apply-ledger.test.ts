import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEntry } from '../../core/destruction-ledger.js';
import { LedgerFilter, mergeLedgerEntries } from './apply-ledger.js';
import { BACKUP_TABLES, type NeutralValue } from './neutral.js';
import type { RestoreSource } from './restore.js';

const T = Date.UTC(2026, 0, 1);

/** A key row in the `keys` column order: id, seq, created_at, description, key_spec, key_usage, origin, state, primary_version, deletion_date, policy, destroyed_at. */
const key = (id: string, seq: number, destroyedAt: number | null = null): NeutralValue[] =>
  [id, seq, T, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'AWS_KMS', destroyedAt === null ? 'Enabled' : 'PendingDeletion', 1, destroyedAt, '{}', destroyedAt];

/** A backup's rows: key a (live), key b (live), key c (destroyed before the backup, with its record); audit rows. */
function backup(): Map<string, NeutralValue[][]> {
  return new Map<string, NeutralValue[][]>([
    ['keys', [key('a', 1), key('b', 2), key('c', 3, T + 5)]],
    ['key_versions', [['a', 1, 1, 'AAAA', T, null], ['a', 2, 1, 'BBBB', T, 'AUTOMATIC'], ['b', 1, 1, 'CCCC', T, null]]],
    ['aliases', [['alias/a', 'a', T, T], ['alias/b', 'b', T, T]]],
    ['tags', [['a', 'team', 'x']]],
    ['key_rotation', [['a', true, 365, T + 1], ['b', true, 365, T + 1]]],
    ['key_destructions', [['c', [1], T + 5]]],
    ['audit_events', [['chain', 1, 'e', 't', 'DeleteKey', 'r', null, '{"key":"a"}', 'AA==', null, null, false]]],
  ]);
}

function sourceOf(tables: Map<string, NeutralValue[][]>, reads: string[]): RestoreSource {
  return {
    chains: [{ chainId: 'chain', node: 'chain' }],
    async *rowsOf(s) {
      reads.push(s.table);
      yield* tables.get(s.table) ?? [];
    },
    finish: async () => undefined,
  };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const entry = (keyId: string, destroyedAt: number, versions: number[] = [1, 2]): LedgerEntry =>
  ({ keyId, keyArn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, versions, destroyedAt: new Date(destroyedAt).toISOString(), state: 'PendingDeletion', deletionDate: new Date(destroyedAt - 1000).toISOString(), primaryVersion: 3 });

describe('LedgerFilter: a restore source that restores the keys a ledger names as destroyed', () => {
  it('drops the material, aliases and rotation of a named key, writes its tombstone and record, passes everything else (audit too) through, reading each table once', async () => {
    const reads: string[] = [];
    const tables = backup();
    const filter = new LedgerFilter(sourceOf(tables, reads), mergeLedgerEntries([[entry('a', T + 9), entry('c', T + 5, [1]), entry('z', T + 7)]]));
    const out = new Map<string, (readonly NeutralValue[])[]>();
    for (const s of BACKUP_TABLES) out.set(s.table, await collect(filter.rowsOf(s)));
    assert.deepEqual(reads, BACKUP_TABLES.map((s) => s.table));
    assert.deepEqual(out.get('keys')?.[0], ['a', 1, T, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'AWS_KMS', 'PendingDeletion', 3, T + 9 - 1000, '{}', T + 9]);
    assert.deepEqual(out.get('keys')?.slice(1), tables.get('keys')?.slice(1));
    assert.deepEqual(out.get('key_versions'), [['b', 1, 1, 'CCCC', T, null]]);
    assert.deepEqual(out.get('aliases'), [['alias/b', 'b', T, T]]);
    assert.deepEqual(out.get('key_rotation'), [['b', true, 365, T + 1]]);
    assert.deepEqual(out.get('tags'), tables.get('tags'), 'destroyKey keeps tags');
    assert.deepEqual(out.get('key_destructions'), [['c', [1], T + 5], ['a', [1, 2], T + 9]]);
    assert.deepEqual(out.get('audit_events'), tables.get('audit_events'));
    assert.deepEqual(filter.outcome(), {
      restoredAsDestroyed: [{ keyId: 'a', keyArn: 'arn:aws:kms:us-east-1:111122223333:key/a', destroyedAt: new Date(T + 9).toISOString(), versionsSkipped: 2, aliasesSkipped: 1 }],
      alreadyDestroyed: ['c'],
      notInBackup: ['z'],
    });
  });

  it('an empty ledger changes no row', async () => {
    const tables = backup();
    const filter = new LedgerFilter(sourceOf(tables, []), mergeLedgerEntries([]));
    for (const s of BACKUP_TABLES) assert.deepEqual(await collect(filter.rowsOf(s)), tables.get(s.table) ?? [], s.table);
    assert.deepEqual(filter.outcome().restoredAsDestroyed, []);
  });

  it('merges ledgers: the earlier destruction, the union of the versions', () => {
    const merged = mergeLedgerEntries([[entry('a', T + 9, [1])], [entry('a', T + 3, [2]), entry('b', T)]]);
    assert.deepEqual([...merged.keys()], ['a', 'b']);
    assert.deepEqual([merged.get('a')?.destroyedAt, merged.get('a')?.versions], [new Date(T + 3).toISOString(), [1, 2]]);
  });
});
