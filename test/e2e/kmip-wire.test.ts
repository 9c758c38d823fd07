import assert from 'node:assert/strict';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { callOperation } from '../../src/cli/client.js';
import { TtlvFramer } from '../../src/api/kmip/framing.js';
import { boolean, bytes, enumeration, integer, structure, text } from '../../src/api/kmip/payload.js';
import { CRYPTOGRAPHIC_ALGORITHM, OBJECT_TYPE, OPERATION, RESULT_REASON, RESULT_STATUS, TAG } from '../../src/api/kmip/tags.js';
import { decodeTtlv, encodeTtlv, type TtlvItem, type TtlvStructure } from '../../src/api/kmip/ttlv.js';
import { startKmipServer, type KmipServer } from '../helpers/kmip-server.js';
import { hasOpenssl } from '../helpers/pki.js';

/**
 * The KMIP listener on the wire, with Arca's own TTLV encoder as the client: what PyKMIP 1.x cannot send
 * (AddAttribute, 2.0 attributes, batches with the ID Placeholder, pipelined messages) and what no client
 * should (malformed TTLV): the answer is a KMIP error, or the connection is closed, and the server goes on.
 */
type Items = TtlvItem[][];

function message(items: Items, version: [number, number] = [1, 4], header: TtlvItem[] = []): Buffer {
  const head = structure(TAG.RequestHeader, [structure(TAG.ProtocolVersion, [integer(TAG.ProtocolVersionMajor, version[0]), integer(TAG.ProtocolVersionMinor, version[1])]), ...header, integer(TAG.BatchCount, items.length)]);
  return Buffer.from(encodeTtlv(structure(TAG.RequestMessage, [head, ...items.map((i) => structure(TAG.BatchItem, i))]) as TtlvStructure));
}
const op = (name: keyof typeof OPERATION, payload: TtlvItem[]): TtlvItem[] => [enumeration(TAG.Operation, OPERATION[name]), structure(TAG.RequestPayload, payload)];
const uid = (id: string): TtlvItem => text(TAG.UniqueIdentifier, id);
const attribute = (name: string, value: TtlvItem): TtlvItem => structure(TAG.Attribute, [text(TAG.AttributeName, name), { ...value, tag: TAG.AttributeValue }]);
const aes = [attribute('Cryptographic Algorithm', enumeration(0, CRYPTOGRAPHIC_ALGORITHM.Aes)), attribute('Cryptographic Length', integer(0, 256))];
const createAes = (extra: TtlvItem[] = []): TtlvItem[] => op('Create', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), structure(TAG.TemplateAttribute, [...aes, ...extra])]);

interface Answer {
  readonly status: number;
  readonly reason?: number;
  readonly message?: string;
  readonly payload: readonly TtlvItem[];
}

/** The batch items of a Response Message. */
function answers(frame: Uint8Array): Answer[] {
  return decodeTtlv(frame)
    .value.filter((c): c is TtlvStructure => c.tag === TAG.BatchItem && c.type === 'Structure')
    .map((b) => {
      const get = (tag: number) => b.value.find((c) => c.tag === tag);
      const status = get(TAG.ResultStatus);
      const reason = get(TAG.ResultReason);
      const msg = get(TAG.ResultMessage);
      const payload = get(TAG.ResponsePayload);
      return {
        status: status?.type === 'Enumeration' ? status.value : -1,
        ...(reason?.type === 'Enumeration' && { reason: reason.value }),
        ...(msg?.type === 'TextString' && { message: msg.value }),
        payload: payload?.type === 'Structure' ? payload.value : [],
      };
    });
}

const field = (a: Answer | undefined, tag: number): TtlvItem | undefined => a?.payload.find((c) => c.tag === tag);
const idOf = (a: Answer | undefined): string => {
  const v = field(a, TAG.UniqueIdentifier);
  assert.ok(v?.type === 'TextString', JSON.stringify(a));
  return v.value;
};

/** A connection that answers whole Response Messages in order; `closed` resolves when the server closes it. */
class Client {
  readonly #framer = new TtlvFramer();
  readonly #frames: Uint8Array[] = [];
  #waiting: (() => void) | undefined;
  readonly closed: Promise<void>;
  readonly socket: TLSSocket;

  constructor(socket: TLSSocket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...this.#framer.push(chunk));
      this.#waiting?.();
    });
    this.closed = new Promise((ok) => {
      socket.on('close', () => ok());
      socket.on('error', () => ok());
    });
  }

  async next(): Promise<Answer[]> {
    while (this.#frames.length === 0) await new Promise<void>((ok) => (this.#waiting = ok));
    return answers(this.#frames.shift() ?? new Uint8Array());
  }

  async call(bytes: Buffer): Promise<Answer[]> {
    this.socket.write(bytes);
    return this.next();
  }
}

describe('KMIP on the wire', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  let server: KmipServer;
  let client: Client;
  before(async () => {
    server = await startKmipServer();
    client = new Client(server.connect('app'));
  });
  after(async () => {
    client?.socket.destroy();
    await server?.close();
  });

  test('one batch: Create, Activate, Encrypt and Decrypt through the ID Placeholder', async () => {
    const [created, activated, encrypted] = await client.call(message([createAes(), op('Activate', []), op('Encrypt', [bytes(TAG.Data, Buffer.from('batched'))])]));
    assert.deepEqual([created?.status, activated?.status, encrypted?.status], [RESULT_STATUS.Success, RESULT_STATUS.Success, RESULT_STATUS.Success], JSON.stringify([created, activated, encrypted]));
    const ciphertext = field(encrypted, TAG.Data);
    assert.ok(ciphertext?.type === 'ByteString');
    const [decrypted] = await client.call(message([op('Decrypt', [uid(idOf(created)), bytes(TAG.Data, ciphertext.value)])]));
    const plain = field(decrypted, TAG.Data);
    assert.equal(plain?.type === 'ByteString' ? Buffer.from(plain.value).toString() : undefined, 'batched');
    // The same ciphertext decrypts through the AWS API: one key, two protocols.
    const aws = await callOperation(server.admin, 'TrentService.Decrypt', { CiphertextBlob: Buffer.from(ciphertext.value).toString('base64') });
    assert.equal(Buffer.from(String(aws['Plaintext']), 'base64').toString(), 'batched');
  });

  test('AX-M-1-14: AddAttribute of a custom attribute, visible as a key tag through the AWS API; Modify and Delete it', async () => {
    const [created] = await client.call(message([createAes()]));
    const id = idOf(created);
    const [added] = await client.call(message([op('AddAttribute', [uid(id), attribute('x-team', text(0, 'payments'))])]));
    assert.equal(added?.status, RESULT_STATUS.Success, added?.message);
    const [again] = await client.call(message([op('AddAttribute', [uid(id), attribute('x-team', text(0, 'other'))])]));
    assert.equal(again?.reason, RESULT_REASON.IllegalOperation, 'a second instance is refused');
    const tags = async () => (await callOperation(server.admin, 'TrentService.ListResourceTags', { KeyId: id }))['Tags'] as { TagKey: string; TagValue: string }[];
    assert.ok((await tags()).some((t) => t.TagKey === 'x-team' && t.TagValue === 'payments'));
    await client.call(message([op('ModifyAttribute', [uid(id), attribute('x-team', text(0, 'risk'))])]));
    const [got] = await client.call(message([op('GetAttributes', [uid(id), text(TAG.AttributeName, 'x-team')])]));
    assert.ok(JSON.stringify(got?.payload).includes('"risk"'), JSON.stringify(got));
    const [deleted] = await client.call(message([op('DeleteAttribute', [uid(id), text(TAG.AttributeName, 'x-team')])]));
    assert.equal(deleted?.status, RESULT_STATUS.Success, deleted?.message);
    assert.ok(!(await tags()).some((t) => t.TagKey === 'x-team'));
    const [readOnly] = await client.call(message([op('ModifyAttribute', [uid(id), attribute('Cryptographic Length', integer(0, 128))])]));
    assert.equal(readOnly?.reason, RESULT_REASON.PermissionDenied);
  });

  test('export is explicit: a key made without Extractable gives no material; one made Extractable (KMIP 2.0) does', async () => {
    const [plain] = await client.call(message([createAes()]));
    const [refused] = await client.call(message([op('Get', [uid(idOf(plain))])]));
    assert.equal(refused?.reason, RESULT_REASON.NotExtractable, refused?.message);
    const attrs = structure(TAG.Attributes, [enumeration(TAG.CryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.Aes), integer(TAG.CryptographicLength, 256), boolean(TAG.Extractable, true)]);
    const [exportable] = await client.call(message([op('Create', [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), attrs])], [2, 0]));
    const [got] = await client.call(message([op('Get', [uid(idOf(exportable))])], [2, 0]));
    assert.equal(got?.status, RESULT_STATUS.Success, got?.message);
    let node: TtlvItem | undefined = field(got, TAG.SymmetricKey);
    for (const tag of [TAG.KeyBlock, TAG.KeyValue, TAG.KeyMaterial]) node = node?.type === 'Structure' ? node.value.find((c) => c.tag === tag) : undefined;
    assert.equal(node?.type === 'ByteString' ? node.value.length : 0, 32, 'the 32 bytes of the AES-256 key');
    // The attribute is fixed at creation: no one can add it later (a reserved tag).
    const [later] = await client.call(message([op('AddAttribute', [uid(idOf(plain)), attribute('Extractable', boolean(0, true))])]));
    assert.equal(later?.status, RESULT_STATUS.OperationFailed);
    await assert.rejects(callOperation(server.admin, 'TrentService.TagResource', { KeyId: idOf(plain), Tags: [{ TagKey: 'arca:Exportable', TagValue: 'true' }] }), /TagException|reserved/);
  });

  test('Locate by Object Group (how Percona\'s keyring component finds its keys), newest first', async () => {
    const group = (name: string) => attribute('Object Group', text(0, name));
    const [first] = await client.call(message([createAes([group('mysql-1')])]));
    const [second] = await client.call(message([createAes([group('mysql-1')])]));
    await client.call(message([createAes([group('mysql-2')])]));
    const [found] = await client.call(message([op('Locate', [group('mysql-1')])]));
    const ids = found?.payload.filter((c) => c.tag === TAG.UniqueIdentifier).map((c) => (c.type === 'TextString' ? c.value : ''));
    assert.deepEqual(ids, [idOf(second), idOf(first)]);
    const located = field(found, TAG.LocatedItems);
    assert.equal(located?.type === 'Integer' ? located.value : -1, 2, 'KMIP 1.3+ answers Located Items');
    const [limited] = await client.call(message([op('Locate', [integer(TAG.MaximumItems, 1), group('mysql-1')])]));
    assert.deepEqual(limited?.payload.filter((c) => c.tag === TAG.UniqueIdentifier).length, 1);
  });

  test('pipelined messages are answered in order on one connection', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    client.socket.write(Buffer.concat(ids.map((name) => message([op('Locate', [attribute('Name', structure(0, [text(TAG.NameValue, `missing-${name}`), enumeration(TAG.NameType, 1)]))])]))));
    for (const _ of ids) assert.equal((await client.next())[0]?.status, RESULT_STATUS.Success);
  });

  test('a client that sends 100 messages without reading the answers is disconnected', async () => {
    const flood = new Client(server.connect('app'));
    await new Promise<void>((ok) => flood.socket.once('secureConnect', () => ok()));
    const query = message([op('Query', [enumeration(TAG.QueryFunction, 3)])]);
    flood.socket.write(Buffer.concat(Array.from({ length: 100 }, () => query)));
    await flood.closed;
    assert.ok(flood.socket.destroyed);
  });

  test('a framed message that does not decode is answered Invalid Message, and the connection goes on', async () => {
    const bad = Buffer.from(encodeTtlv(structure(TAG.RequestMessage, [integer(TAG.BatchCount, 1)]) as TtlvStructure));
    const [refused] = await client.call(bad);
    assert.equal(refused?.reason, RESULT_REASON.InvalidMessage);
    const [fine] = await client.call(message([op('Query', [enumeration(TAG.QueryFunction, 3)])]));
    assert.equal(fine?.status, RESULT_STATUS.Success, fine?.message);
  });

  for (const [what, bytesSent] of [
    ['a declared length of 2 GiB', Buffer.from('42007801800000000000000000000000', 'hex')],
    ['a first item that is not a Structure', Buffer.from('4200780200000004000000010000000', 'hex')],
    ['random bytes', Buffer.from('deadbeefcafebabe0011223344556677', 'hex')],
  ] as const) {
    test(`${what}: the connection is closed, and the server serves the next one`, async () => {
      const victim = new Client(server.connect('app'));
      await new Promise<void>((ok) => victim.socket.once('secureConnect', () => ok()));
      victim.socket.write(bytesSent);
      await victim.closed;
      const [fine] = await client.call(message([op('Query', [enumeration(TAG.QueryFunction, 3)])]));
      assert.equal(fine?.status, RESULT_STATUS.Success);
    });
  }

  test('every KMIP request is an audit event with its KMIP operation', async () => {
    const events = (await callOperation(server.admin, 'ArcaService.ListAuditEvents', { Limit: 1000 }))['Events'] as Record<string, unknown>[];
    const ops = new Set(events.map((e) => (e['additionalEventData'] as Record<string, unknown> | undefined)?.['kmipOperation']).filter((o) => o !== undefined));
    for (const name of ['Create', 'Activate', 'Encrypt', 'Decrypt', 'AddAttribute', 'ModifyAttribute', 'DeleteAttribute', 'GetAttributes', 'Get', 'Locate', 'Query']) assert.ok(ops.has(name), `${name} (${[...ops].join(', ')})`);
  });
});
