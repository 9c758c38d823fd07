import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessKeySecretBinding,
  sessionSecretBinding,
  AUDIT_SIGNING_KEY_BINDING,
  domainKeyBinding,
  domainKeyWrapBinding,
  fingerprintBinding,
  importTokenBinding,
  materialBinding,
  rootWrapBinding,
  shamirRootBinding,
} from './bindings.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Each binding's bytes, as computed by the code before the bindings moved to this file (commit 1a8e80b).
 * Every stored secret was wrapped under these bytes: if one of these fails, existing databases no longer
 * unwrap. Never update an expected value; add a new label instead.
 */
const PINNED: Record<string, { bytes: Buffer; hex: string }> = {
  'root wrap (label only)': {
    bytes: rootWrapBinding(Buffer.alloc(0)),
    hex: '00000011617263612e726f6f742d777261702e7631',
  },
  'shamir root': {
    bytes: shamirRootBinding({ shareSetId: Buffer.from('00112233', 'hex'), shares: 5, threshold: 3 }),
    hex: '00000013617263612e7368616d69722d726f6f742e763100000008303031313232333300000004000000050000000400000003',
  },
  'domain key': {
    bytes: domainKeyBinding(7),
    hex: '00000012617263612e646f6d61696e2d6b65792e76310000000400000007',
  },
  'domain key version suffix': {
    bytes: domainKeyWrapBinding(Buffer.alloc(0), 7),
    hex: '0000000400000007',
  },
  'key material': {
    bytes: materialBinding(KEY_ID, 2),
    hex: '00000014617263612e6b65792d6d6174657269616c2e76310000002431323334616263642d313261622d333463642d353665662d313233343536373839306162000000040000000200000014637573746f6d65722d6b65792d76657273696f6e',
  },
  'access key secret': {
    bytes: accessKeySecretBinding('AKIAEXAMPLE'),
    hex: '00000019617263612e6163636573732d6b65792d7365637265742e76310000000b414b49414558414d504c45',
  },
  'session secret': {
    bytes: sessionSecretBinding('ASIAEXAMPLE'),
    hex: '00000016617263612e73657373696f6e2d7365637265742e76310000000b415349414558414d504c45',
  },
  'audit signing key': {
    bytes: AUDIT_SIGNING_KEY_BINDING,
    hex: '617263612f61756469742d747265652d686561642d7369676e696e672d6b65792f7631',
  },
  'import token': {
    bytes: importTokenBinding(KEY_ID, 'tok-1'),
    hex: '0000001b617263612e696d706f72742d7772617070696e672d6b65792e76310000002431323334616263642d313261622d333463642d353665662d31323334353637383930616200000005746f6b2d31',
  },
  'import fingerprint': {
    bytes: fingerprintBinding(KEY_ID),
    hex: '0000001a617263612e696d706f72742d66696e6765727072696e742e76310000002431323334616263642d313261622d333463642d353665662d313233343536373839306162',
  },
};

/** The label of an `encodeFields` binding (its first field); the audit signing key's is the whole value. */
function labelOf(binding: Buffer): string {
  if (binding === AUDIT_SIGNING_KEY_BINDING) return binding.toString('utf8');
  return binding.subarray(4, 4 + binding.readUInt32BE(0)).toString('utf8');
}

describe('AAD bindings (the bytes are part of the storage format)', () => {
  for (const [name, { bytes, hex }] of Object.entries(PINNED)) {
    it(`${name}: bytes unchanged`, () => assert.equal(bytes.toString('hex'), hex));
  }

  it('a software root wraps a domain key under the root-wrap label followed by the domain key binding', () => {
    assert.equal(rootWrapBinding(domainKeyBinding(7)).toString('hex'), PINNED['root wrap (label only)']!.hex + PINNED['domain key']!.hex);
  });

  it('a secret under a domain key is bound by its own binding followed by the domain key version', () => {
    const own = materialBinding(KEY_ID, 2);
    assert.equal(domainKeyWrapBinding(own, 7).toString('hex'), PINNED['key material']!.hex + PINNED['domain key version suffix']!.hex);
  });

  it('no two purposes share a label', () => {
    const labels = Object.entries(PINNED)
      .filter(([name]) => name !== 'domain key version suffix') // a suffix, not a purpose
      .map(([, { bytes }]) => labelOf(bytes));
    assert.equal(new Set(labels).size, labels.length, labels.join(', '));
    for (const label of labels) assert.match(label, /^arca[./]/);
  });

  it('no two bindings are equal, for the same key id and numbers', () => {
    const all = Object.values(PINNED).map(({ hex }) => hex);
    assert.equal(new Set(all).size, all.length);
  });

  it('each binding separates what it binds: key, version, token, access key, share set', () => {
    assert.notDeepEqual(materialBinding(KEY_ID, 1), materialBinding(KEY_ID, 2));
    assert.notDeepEqual(materialBinding(KEY_ID, 1), materialBinding(KEY_ID.replace(/b$/, 'c'), 1));
    assert.notDeepEqual(domainKeyBinding(1), domainKeyBinding(2));
    assert.notDeepEqual(importTokenBinding(KEY_ID, 'a'), importTokenBinding(KEY_ID, 'b'));
    assert.notDeepEqual(accessKeySecretBinding('AKIA1'), accessKeySecretBinding('AKIA2'));
    assert.notDeepEqual(domainKeyWrapBinding(domainKeyBinding(1), 1), domainKeyWrapBinding(domainKeyBinding(1), 2));
    const share = { shareSetId: Buffer.from('00', 'hex'), shares: 5, threshold: 3 };
    assert.notDeepEqual(shamirRootBinding(share), shamirRootBinding({ ...share, threshold: 2 }));
  });
});
