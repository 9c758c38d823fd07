import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PYKMIP_MISSING, python } from '../../../test/helpers/pykmip.js';
import { ENUMERATIONS, OPERATION, OPERATION_BY_CODE, RESULT_REASON, reverseTable, TAG } from './tags.js';
import { TTLV_TYPE_CODES } from './ttlv.js';

/** PyKMIP names are UPPER_SNAKE, ours PascalCase: compare both lowercased without separators. */
const norm = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const DUMP = `
import json, enum
from kmip.core import enums
out = {}
for name in ['Tags', 'Types'] + ${JSON.stringify(Object.keys(ENUMERATIONS))}:
    cls = getattr(enums, name)
    out[name] = {m.name: m.value for m in cls}
print(json.dumps(out))
`;

function crossCheck(ours: Readonly<Record<string, number>>, theirs: Readonly<Record<string, number>>, what: string): void {
  const byName = new Map(Object.entries(theirs).map(([k, v]) => [norm(k), v]));
  for (const [name, value] of Object.entries(ours)) {
    const v = byName.get(norm(name));
    assert.notEqual(v, undefined, `${what}.${name} has no PyKMIP counterpart`);
    assert.equal(value, v, `${what}.${name}: ours 0x${value.toString(16)}, PyKMIP 0x${(v ?? 0).toString(16)}`);
  }
}

describe('KMIP tag and enumeration tables', () => {
  test('values are unique within each table, so the reverse lookups are total', () => {
    assert.equal(new Set(Object.values(TAG)).size, Object.keys(TAG).length);
    for (const [name, table] of Object.entries(ENUMERATIONS)) assert.equal(reverseTable<string>(table).size, Object.keys(table).length, name);
  });

  test('every operation issue 22 names is in the table, with the spec values of a few landmarks', () => {
    const needed = ['Create', 'Register', 'Get', 'GetAttributes', 'GetAttributeList', 'AddAttribute', 'ModifyAttribute', 'DeleteAttribute', 'SetAttribute', 'Locate', 'Activate', 'Revoke', 'Destroy', 'Query', 'DiscoverVersions', 'Encrypt', 'Decrypt', 'Sign', 'SignatureVerify', 'Mac', 'ReKey'];
    for (const op of needed) assert.ok(op in OPERATION, op);
    assert.deepEqual([TAG.RequestMessage, TAG.ResponseMessage, TAG.BatchItem, OPERATION.Get, OPERATION.DiscoverVersions, RESULT_REASON.GeneralFailure], [0x420078, 0x42007b, 0x42000f, 0x0a, 0x1e, 0x100]);
    assert.equal(OPERATION_BY_CODE.get(0x31), 'SetAttribute');
    assert.equal(OPERATION_BY_CODE.get(0x99), undefined);
  });

  test('every tag is a KMIP tag (0x42xxxx)', () => {
    for (const [name, tag] of Object.entries(TAG)) assert.equal(tag >>> 16, 0x42, name);
  });

  test('every tag, type and enumeration value matches PyKMIP\'s kmip/core/enums.py', { skip: PYKMIP_MISSING }, () => {
    const dump: Record<string, Record<string, number>> = JSON.parse(python(DUMP));
    crossCheck(TAG, dump['Tags'] ?? {}, 'Tags');
    // Date-Time Extended is KMIP 2.0's; PyKMIP 0.10 predates it.
    const { DateTimeExtended, ...types } = TTLV_TYPE_CODES;
    assert.equal(DateTimeExtended, 0x0b);
    crossCheck(types, dump['Types'] ?? {}, 'Types');
    for (const [name, table] of Object.entries(ENUMERATIONS)) crossCheck(table, dump[name] ?? {}, name);
  });
});
