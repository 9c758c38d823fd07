/**
 * Compatibility: the real AWS SDK for JavaScript v3 (`@aws-sdk/client-kms`) against a real `arca dev`
 * process. Every operation in the registry gets a success case that checks what the SDK parsed, and the
 * error names AWS gives are checked through the SDK's own exception objects (`err.name`,
 * `err.$metadata.httpStatusCode`), which is what applications branch on.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  type AliasListEntry,
  type KeyMetadata,
  type Tag,
} from '@aws-sdk/client-kms';
import { z } from 'zod';
import { expectKmsError as expectError, kmsClient } from '../helpers/kms-client.js';
import { removeDir, startDevServer, type DevServer } from '../helpers/server.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: DevServer;
let kms: KMSClient;

/** Awaits `call` and checks it failed with the AWS error `name` and HTTP `status`, as the SDK reports them. */
/** AWS answers these client errors with HTTP 400 unless a test says otherwise. */
const expectKmsError = (call: Promise<unknown>, name: string, status = 400) => expectError(call, name, status);

function defined<T>(value: T | undefined, what: string): T {
  assert.notEqual(value, undefined, `${what} is missing from the response`);
  if (value === undefined) throw new Error('unreachable');
  return value;
}

async function newKey(description = 'compat test key'): Promise<KeyMetadata> {
  const out = await kms.send(new CreateKeyCommand({ Description: description }));
  return defined(out.KeyMetadata, 'KeyMetadata');
}

/** A unique alias name, so tests never collide on the shared server. */
function aliasName(label: string): string {
  return `alias/compat-${label}-${randomUUID().slice(0, 8)}`;
}

function aliasArnOf(key: KeyMetadata, alias: string): string {
  return `arn:aws:kms:${server.credentials.region}:${defined(key.AWSAccountId, 'AWSAccountId')}:${alias}`;
}

async function encryptWith(keyId: string, plaintext: Uint8Array, context?: Record<string, string>): Promise<Uint8Array> {
  const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }));
  return defined(out.CiphertextBlob, 'CiphertextBlob');
}

before(async () => {
  server = await startDevServer();
  kms = kmsClient(server);
});

after(async () => {
  kms?.destroy();
  if (server) {
    await server.stop();
    removeDir(server.dataDir);
  }
});

describe('CreateKey and DescribeKey', () => {
  it('CreateKey returns the full KeyMetadata of a new enabled symmetric key', async () => {
    const startedAt = Date.now();
    const md = await newKey('first key');
    assert.match(defined(md.KeyId, 'KeyId'), UUID_RE);
    assert.match(defined(md.AWSAccountId, 'AWSAccountId'), /^\d{12}$/);
    assert.equal(md.Arn, `arn:aws:kms:${server.credentials.region}:${md.AWSAccountId}:key/${md.KeyId}`);
    assert.equal(md.Description, 'first key');
    assert.equal(md.KeyState, 'Enabled');
    assert.equal(md.Enabled, true);
    assert.equal(md.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(md.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(md.CustomerMasterKeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(md.Origin, 'AWS_KMS');
    assert.equal(md.KeyManager, 'CUSTOMER');
    assert.equal(md.MultiRegion, false);
    assert.deepEqual(md.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
    const created = defined(md.CreationDate, 'CreationDate');
    assert.ok(created instanceof Date, 'CreationDate is parsed as a Date');
    assert.ok(Math.abs(created.getTime() - startedAt) < 60_000, `CreationDate ${created.toISOString()} is not now`);
  });

  it('CreateKey with Tags stores them for ListResourceTags', async () => {
    const out = await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'platform' }] }));
    const keyId = defined(out.KeyMetadata?.KeyId, 'KeyId');
    const tags = await kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
    assert.deepEqual(tags.Tags, [{ TagKey: 'team', TagValue: 'platform' }]);
  });

  it('DescribeKey returns the same metadata CreateKey did', async () => {
    const md = await newKey('described');
    const out = await kms.send(new DescribeKeyCommand({ KeyId: md.KeyId }));
    assert.deepEqual(out.KeyMetadata, md);
  });

  it('DescribeKey accepts a key id, key ARN, alias name and alias ARN', async () => {
    const md = await newKey();
    const alias = aliasName('describe');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: md.KeyId }));
    for (const ref of [md.KeyId, md.Arn, alias, aliasArnOf(md, alias)]) {
      const out = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
      assert.equal(out.KeyMetadata?.KeyId, md.KeyId, `DescribeKey(${ref})`);
      assert.equal(out.KeyMetadata?.Arn, md.Arn, `DescribeKey(${ref})`);
    }
  });

  it('DescribeKey of an unknown key id is NotFoundException', async () => {
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: randomUUID() })), 'NotFoundException');
  });

  it('DescribeKey of an unknown alias is NotFoundException', async () => {
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: aliasName('missing') })), 'NotFoundException');
  });

  it('DescribeKey of an existing key ARN in another account is NotFoundException', async () => {
    const md = await newKey();
    const otherAccount = md.AWSAccountId === '111122223333' ? '444455556666' : '111122223333';
    const foreign = `arn:aws:kms:${server.credentials.region}:${otherAccount}:key/${md.KeyId}`;
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: foreign })), 'NotFoundException');
  });

  it('CreateKey with KeySpec SM2, not offered by Arca yet, is UnsupportedOperationException', async () => {
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException');
  });

  it('CreateKey with a tag key starting with aws: is TagException', async () => {
    await expectKmsError(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })), 'TagException');
  });
});

describe('ListKeys', () => {
  it('pages with Limit and Marker until every key was seen exactly once', async () => {
    const mine = new Set<string>();
    let account = '';
    for (let i = 0; i < 7; i++) {
      const md = await newKey(`page ${i}`);
      mine.add(defined(md.KeyId, 'KeyId'));
      account = defined(md.AWSAccountId, 'AWSAccountId');
    }
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await kms.send(new ListKeysCommand({ Limit: 3, Marker: marker }));
      pages++;
      const keys = defined(out.Keys, 'Keys');
      assert.ok(keys.length <= 3, `a page has ${keys.length} keys, more than Limit`);
      for (const k of keys) {
        const id = defined(k.KeyId, 'KeyId');
        assert.equal(k.KeyArn, `arn:aws:kms:${server.credentials.region}:${account}:key/${id}`);
        seen.push(id);
      }
      if (out.Truncated === true) {
        assert.equal(keys.length, 3, 'a truncated page is full');
        marker = defined(out.NextMarker, 'NextMarker');
      } else {
        assert.equal(out.NextMarker, undefined, 'the last page has no NextMarker');
        marker = undefined;
      }
      assert.ok(pages < 1000, 'pagination does not end');
    } while (marker !== undefined);
    assert.ok(pages >= 3, `7 keys at Limit 3 take at least 3 pages, got ${pages}`);
    assert.equal(new Set(seen).size, seen.length, 'no key is listed twice');
    for (const id of mine) assert.ok(seen.includes(id), `key ${id} was not listed`);
  });

  it('ListKeys with Limit 0 is ValidationException', async () => {
    await expectKmsError(kms.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
  });

  it('ListKeys with a marker it did not issue is InvalidMarkerException', async () => {
    await expectKmsError(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' })), 'InvalidMarkerException');
  });
});

describe('UpdateKeyDescription, EnableKey and DisableKey', () => {
  it('UpdateKeyDescription changes the description DescribeKey shows', async () => {
    const md = await newKey('old description');
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: md.KeyId, Description: 'new description' }));
    const out = await kms.send(new DescribeKeyCommand({ KeyId: md.KeyId }));
    assert.equal(out.KeyMetadata?.Description, 'new description');
  });

  it('a disabled key refuses Encrypt with DisabledException and works again once enabled', async () => {
    const md = await newKey();
    const keyId = defined(md.KeyId, 'KeyId');
    const blob = await encryptWith(keyId, Buffer.from('before'));
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    const disabled = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    assert.equal(disabled.KeyMetadata?.KeyState, 'Disabled');
    assert.equal(disabled.KeyMetadata?.Enabled, false);
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'DisabledException');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })), 'DisabledException');

    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    const enabled = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    assert.equal(enabled.KeyMetadata?.KeyState, 'Enabled');
    assert.equal(enabled.KeyMetadata?.Enabled, true);
    const again = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(defined(again.Plaintext, 'Plaintext')).toString(), 'before');
    await encryptWith(keyId, Buffer.from('after'));
  });

  it('DisableKey of an unknown key is NotFoundException', async () => {
    await expectKmsError(kms.send(new DisableKeyCommand({ KeyId: randomUUID() })), 'NotFoundException');
  });
});

describe('Encrypt and Decrypt', () => {
  let key: KeyMetadata;
  let other: KeyMetadata;
  before(async () => {
    key = await newKey('encryption');
    other = await newKey('another');
  });

  it('round-trips binary plaintext with an encryption context and names the key by its exact ARN', async () => {
    const plaintext = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const context = { purpose: 'compat', tenant: 'ü-42' };
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context }));
    assert.equal(enc.KeyId, key.Arn);
    assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const blob = defined(enc.CiphertextBlob, 'CiphertextBlob');
    assert.ok(blob instanceof Uint8Array && blob.length > plaintext.length, 'CiphertextBlob is a byte array longer than the plaintext');

    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    assert.equal(typeof dec.KeyId, 'string');
    assert.equal(dec.KeyId, key.Arn, 'Decrypt returns the exact key ARN string');
    assert.equal(dec.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.deepEqual(Buffer.from(defined(dec.Plaintext, 'Plaintext')), plaintext);
  });

  it('Encrypt accepts a key id, key ARN, alias name and alias ARN', async () => {
    const alias = aliasName('encrypt');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    for (const ref of [key.KeyId, key.Arn, alias, aliasArnOf(key, alias)]) {
      const enc = await kms.send(new EncryptCommand({ KeyId: ref, Plaintext: Buffer.from(`via ${ref}`) }));
      assert.equal(enc.KeyId, key.Arn, `Encrypt(${ref}) names the key by ARN`);
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
      assert.equal(Buffer.from(defined(dec.Plaintext, 'Plaintext')).toString(), `via ${ref}`);
    }
  });

  it('Decrypt accepts the right key in KeyId as id, ARN or alias', async () => {
    const alias = aliasName('decrypt');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    const blob = await encryptWith(defined(key.KeyId, 'KeyId'), Buffer.from('named'));
    for (const ref of [key.KeyId, key.Arn, alias]) {
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: ref }));
      assert.equal(dec.KeyId, key.Arn);
    }
  });

  it('Decrypt with the KeyId of another key is IncorrectKeyException', async () => {
    const blob = await encryptWith(defined(key.KeyId, 'KeyId'), Buffer.from('secret'));
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.KeyId })), 'IncorrectKeyException');
  });

  it('Decrypt of a tampered ciphertext is InvalidCiphertextException', async () => {
    const blob = Buffer.from(await encryptWith(defined(key.KeyId, 'KeyId'), Buffer.from('do not touch')));
    for (const at of [blob.length - 1, blob.length - 20, 30]) {
      const tampered = Buffer.from(blob);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException');
    }
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, blob.length - 1) })), 'InvalidCiphertextException');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage that is not a blob') })), 'InvalidCiphertextException');
  });

  it('Decrypt with a different or missing encryption context is InvalidCiphertextException', async () => {
    const blob = await encryptWith(defined(key.KeyId, 'KeyId'), Buffer.from('bound'), { app: 'billing' });
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'payroll' } })), 'InvalidCiphertextException');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException');
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'billing', extra: '1' } })),
      'InvalidCiphertextException',
    );
  });

  it('Encrypt takes 4096 bytes of plaintext and refuses 4097 with ValidationException', async () => {
    await encryptWith(defined(key.KeyId, 'KeyId'), Buffer.alloc(4096, 7));
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4097, 7) })), 'ValidationException');
  });

  it('Encrypt with DryRun is DryRunOperationException (HTTP 400, as AWS)', async () => {
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true })), 'DryRunOperationException', 400);
  });

  it('Encrypt under an unknown key id or alias is NotFoundException', async () => {
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: randomUUID(), Plaintext: Buffer.from('x') })), 'NotFoundException');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: aliasName('nothing'), Plaintext: Buffer.from('x') })), 'NotFoundException');
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key and context, naming both keys by ARN', async () => {
    const source = await newKey('source');
    const destination = await newKey('destination');
    const blob = await encryptWith(defined(source.KeyId, 'KeyId'), Buffer.from('moving'), { stage: 'one' });
    const out = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: blob,
        SourceEncryptionContext: { stage: 'one' },
        DestinationKeyId: destination.KeyId,
        DestinationEncryptionContext: { stage: 'two' },
      }),
    );
    assert.equal(out.SourceKeyId, source.Arn);
    assert.equal(out.KeyId, destination.Arn);
    assert.equal(out.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.equal(out.DestinationEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const moved = defined(out.CiphertextBlob, 'CiphertextBlob');
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: moved, EncryptionContext: { stage: 'two' } }));
    assert.equal(dec.KeyId, destination.Arn);
    assert.equal(Buffer.from(defined(dec.Plaintext, 'Plaintext')).toString(), 'moving');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: moved, EncryptionContext: { stage: 'one' } })), 'InvalidCiphertextException');
  });

  it('ReEncrypt with the wrong source context is InvalidCiphertextException', async () => {
    const source = await newKey();
    const blob = await encryptWith(defined(source.KeyId, 'KeyId'), Buffer.from('x'), { a: '1' });
    await expectKmsError(
      kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { a: '2' }, DestinationKeyId: source.KeyId })),
      'InvalidCiphertextException',
    );
  });
});

describe('GenerateDataKey, GenerateDataKeyWithoutPlaintext and GenerateRandom', () => {
  let key: KeyMetadata;
  before(async () => {
    key = await newKey('data keys');
  });

  for (const [spec, bytes] of [['AES_128', 16], ['AES_256', 32]] as const) {
    it(`GenerateDataKey with KeySpec ${spec} returns a ${bytes}-byte key and its ciphertext under the key`, async () => {
      const out = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: spec, EncryptionContext: { spec } }));
      assert.equal(out.KeyId, key.Arn);
      const plaintext = defined(out.Plaintext, 'Plaintext');
      assert.equal(plaintext.length, bytes);
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { spec } }));
      assert.deepEqual(Buffer.from(defined(dec.Plaintext, 'Plaintext')), Buffer.from(plaintext));
    });
  }

  it('GenerateDataKey with NumberOfBytes returns exactly that many bytes', async () => {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 64 }));
    assert.equal(defined(out.Plaintext, 'Plaintext').length, 64);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    assert.deepEqual(Buffer.from(defined(dec.Plaintext, 'Plaintext')), Buffer.from(defined(out.Plaintext, 'Plaintext')));
  });

  it('GenerateDataKey accepts a key id, key ARN, alias name and alias ARN', async () => {
    const alias = aliasName('datakey');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    for (const ref of [key.KeyId, key.Arn, alias, aliasArnOf(key, alias)]) {
      const out = await kms.send(new GenerateDataKeyCommand({ KeyId: ref, KeySpec: 'AES_256' }));
      assert.equal(out.KeyId, key.Arn, `GenerateDataKey(${ref})`);
    }
  });

  it('GenerateDataKey with both KeySpec and NumberOfBytes is ValidationException', async () => {
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
  });

  it('GenerateDataKeyWithoutPlaintext returns only a ciphertext that decrypts to a key of the asked size', async () => {
    const out = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { k: 'v' } }));
    assert.equal(out.KeyId, key.Arn);
    assert.equal('Plaintext' in out, false, 'no Plaintext member');
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { k: 'v' } }));
    assert.equal(defined(dec.Plaintext, 'Plaintext').length, 32);
  });

  it('GenerateRandom returns fresh random bytes of the asked length', async () => {
    const a = defined((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))).Plaintext, 'Plaintext');
    const b = defined((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))).Plaintext, 'Plaintext');
    assert.equal(a.length, 32);
    assert.equal(b.length, 32);
    assert.notDeepEqual(Buffer.from(a), Buffer.from(b));
  });
});

describe('aliases', () => {
  it('CreateAlias, UpdateAlias and DeleteAlias move and remove an alias', async () => {
    const first = await newKey('alias first');
    const second = await newKey('alias second');
    const alias = aliasName('lifecycle');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: first.KeyId }));
    assert.equal((await kms.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from('1') }))).KeyId, first.Arn);

    await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: second.KeyId }));
    assert.equal((await kms.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from('2') }))).KeyId, second.Arn);
    const listed = await kms.send(new ListAliasesCommand({ KeyId: second.KeyId }));
    assert.deepEqual(listed.Aliases?.map((a) => a.AliasName), [alias]);

    await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: alias })), 'NotFoundException');
    assert.deepEqual((await kms.send(new ListAliasesCommand({ KeyId: second.KeyId }))).Aliases, []);
    await expectKmsError(kms.send(new DeleteAliasCommand({ AliasName: alias })), 'NotFoundException');
  });

  it('ListAliases by KeyId returns exactly that key’s aliases with their ARNs and dates', async () => {
    const key = await newKey();
    const names = [aliasName('by-key-a'), aliasName('by-key-b')].sort();
    for (const n of names) await kms.send(new CreateAliasCommand({ AliasName: n, TargetKeyId: key.KeyId }));
    const out = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
    const aliases = defined(out.Aliases, 'Aliases');
    assert.deepEqual(aliases.map((a) => a.AliasName).sort(), names);
    for (const a of aliases) {
      assert.equal(a.TargetKeyId, key.KeyId);
      assert.equal(a.AliasArn, aliasArnOf(key, defined(a.AliasName, 'AliasName')));
      assert.ok(a.CreationDate instanceof Date && a.LastUpdatedDate instanceof Date, 'alias dates are parsed as Dates');
    }
    assert.equal(out.Truncated, false);
  });

  it('ListAliases without KeyId pages with Limit and Marker over every alias', async () => {
    const key = await newKey();
    const mine = [aliasName('page-a'), aliasName('page-b'), aliasName('page-c')];
    for (const n of mine) await kms.send(new CreateAliasCommand({ AliasName: n, TargetKeyId: key.KeyId }));
    const seen: AliasListEntry[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await kms.send(new ListAliasesCommand({ Limit: 2, Marker: marker }));
      pages++;
      const aliases = defined(out.Aliases, 'Aliases');
      assert.ok(aliases.length <= 2, `a page has ${aliases.length} aliases, more than Limit`);
      seen.push(...aliases);
      marker = out.Truncated === true ? defined(out.NextMarker, 'NextMarker') : undefined;
      assert.ok(pages < 1000, 'pagination does not end');
    } while (marker !== undefined);
    assert.ok(pages >= 2, `3 aliases at Limit 2 take at least 2 pages, got ${pages}`);
    const names = seen.map((a) => a.AliasName);
    assert.equal(new Set(names).size, names.length, 'no alias is listed twice');
    for (const n of mine) assert.ok(names.includes(n), `alias ${n} was not listed`);
    const all = await kms.send(new ListAliasesCommand({}));
    for (const n of mine) assert.ok(all.Aliases?.some((a) => a.AliasName === n && a.TargetKeyId === key.KeyId), `ListAliases() lacks ${n}`);
  });

  it('CreateAlias with a name already in use is AlreadyExistsException', async () => {
    const key = await newKey();
    const alias = aliasName('dup');
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId })), 'AlreadyExistsException');
  });

  it('CreateAlias under the reserved alias/aws/ prefix is InvalidAliasNameException', async () => {
    const key = await newKey();
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/compat', TargetKeyId: key.KeyId })), 'InvalidAliasNameException');
  });

  it('CreateAlias for an unknown key is NotFoundException', async () => {
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: aliasName('orphan'), TargetKeyId: randomUUID() })), 'NotFoundException');
  });
});

describe('tags', () => {
  const sortTags = (tags: readonly Tag[]): Tag[] => [...tags].sort((a, b) => (a.TagKey ?? '').localeCompare(b.TagKey ?? ''));

  it('TagResource, ListResourceTags and UntagResource add, overwrite, list and remove tags', async () => {
    const key = await newKey();
    await kms.send(
      new TagResourceCommand({
        KeyId: key.KeyId,
        Tags: [
          { TagKey: 'b-env', TagValue: 'test' },
          { TagKey: 'a-owner', TagValue: 'alice' },
          { TagKey: 'c-cost', TagValue: '' },
        ],
      }),
    );
    await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a-owner', TagValue: 'bob' }] }));
    const expected = [
      { TagKey: 'a-owner', TagValue: 'bob' },
      { TagKey: 'b-env', TagValue: 'test' },
      { TagKey: 'c-cost', TagValue: '' },
    ];
    const listed = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    assert.deepEqual(sortTags(defined(listed.Tags, 'Tags')), expected);
    assert.equal(listed.Truncated, false);

    // AWS does not promise an order, so the pages are checked as a partition of the tags.
    const firstPage = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
    assert.equal(firstPage.Tags?.length, 2);
    assert.equal(firstPage.Truncated, true);
    const secondPage = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: defined(firstPage.NextMarker, 'NextMarker') }));
    assert.equal(secondPage.Tags?.length, 1);
    assert.equal(secondPage.Truncated, false);
    assert.deepEqual(sortTags([...defined(firstPage.Tags, 'Tags'), ...defined(secondPage.Tags, 'Tags')]), expected);

    await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a-owner', 'c-cost'] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'b-env', TagValue: 'test' }]);
  });

  it('TagResource with a tag key starting with aws: is TagException', async () => {
    const key = await newKey();
    await expectKmsError(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] })), 'TagException');
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, []);
  });

  it('ListResourceTags of an unknown key is NotFoundException', async () => {
    await expectKmsError(kms.send(new ListResourceTagsCommand({ KeyId: randomUUID() })), 'NotFoundException');
  });
});

describe('key policies', () => {
  const policySchema = z.object({
    Version: z.literal('2012-10-17'),
    Statement: z.array(z.object({ Effect: z.enum(['Allow', 'Deny']), Principal: z.object({ AWS: z.string() }), Action: z.string(), Resource: z.string() })).min(1),
  });

  it('GetKeyPolicy returns the default policy that lets the account root use the key', async () => {
    const key = await newKey();
    const out = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    assert.equal(out.PolicyName, 'default');
    const policy = policySchema.parse(JSON.parse(defined(out.Policy, 'Policy')));
    assert.deepEqual(policy.Statement[0], {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${key.AWSAccountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    });
    const unnamed = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
    assert.equal(unnamed.Policy, out.Policy);
  });

  it('ListKeyPolicies lists the one policy name, default', async () => {
    const key = await newKey();
    const out = await kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
    assert.deepEqual(out.PolicyNames, ['default']);
    assert.equal(out.Truncated, false);
  });

  it('GetKeyPolicy of an unknown key is NotFoundException', async () => {
    await expectKmsError(kms.send(new GetKeyPolicyCommand({ KeyId: randomUUID(), PolicyName: 'default' })), 'NotFoundException');
  });
});

describe('authentication', () => {
  it('a client signing with the wrong secret key gets InvalidSignatureException', async () => {
    const wrong = kmsClient({ endpoint: server.endpoint, credentials: { ...server.credentials, secretAccessKey: 'x'.repeat(40) } });
    try {
      await expectKmsError(wrong.send(new ListKeysCommand({})), 'InvalidSignatureException');
    } finally {
      wrong.destroy();
    }
  });

  it('a client with an unknown access key id gets UnrecognizedClientException', async () => {
    const unknown = kmsClient({ endpoint: server.endpoint, credentials: { ...server.credentials, accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ' } });
    try {
      await expectKmsError(unknown.send(new ListKeysCommand({})), 'UnrecognizedClientException');
    } finally {
      unknown.destroy();
    }
  });
});
