import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PYKMIP_MISSING, python } from '../../../test/helpers/pykmip.js';
import { decodeRequestMessage, TTLV_DECODE_RESULT_REASON, discoverVersions, discoverVersionsRequest, discoverVersionsResponse, encodeProtocolVersion, encodeResponseMessage, requestFromTtlv, SUPPORTED_PROTOCOL_VERSIONS, type ProtocolVersion } from './messages.js';
import { RESULT_REASON, TAG } from './tags.js';
import { decodeTtlv, encodeTtlv, TtlvDecodeError, type TtlvItem, type TtlvStructure } from './ttlv.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const v = (major: number, minor: number): ProtocolVersion => ({ major, minor });

/**
 * A Request Message as PyKMIP 0.10 encodes it (kmip.core.messages, KMIP 1.2): a Get of "key-1" with batch
 * item id 01 02, then a DiscoverVersions listing 2.0 and 1.1; Maximum Response Size 4096. Recorded here so
 * the decode runs without PyKMIP; the interop test below re-creates it live.
 */
const PYKMIP_REQUEST =
  '42007801000001004200770100000048420069010000002042006a0200000004000000010000000042006b020000000400000002000000004200500200000004000010000000000042000d0200000004000000020000000042000f010000003842005c05000000040000000a0000000042009308000000020102000000000000420079010000001042009407000000056b65792d3100000042000f010000006842005c05000000040000001e000000004200790100000050420069010000002042006a0200000004000000020000000042006b02000000040000000000000000420069010000002042006a0200000004000000010000000042006b02000000040000000100000000';

const PYKMIP_ENCODE_REQUEST = `
from kmip.core import enums, utils
from kmip.core.messages import contents, messages, payloads
h = messages.RequestHeader(protocol_version=contents.ProtocolVersion(1, 2), maximum_response_size=contents.MaximumResponseSize(4096), batch_count=contents.BatchCount(2))
b1 = messages.RequestBatchItem(operation=contents.Operation(enums.Operation.GET), unique_batch_item_id=contents.UniqueBatchItemID(b'\\x01\\x02'), request_payload=payloads.GetRequestPayload(unique_identifier='key-1'))
b2 = messages.RequestBatchItem(operation=contents.Operation(enums.Operation.DISCOVER_VERSIONS), request_payload=payloads.DiscoverVersionsRequestPayload(protocol_versions=[contents.ProtocolVersion(2, 0), contents.ProtocolVersion(1, 1)]))
s = utils.BytearrayStream()
messages.RequestMessage(request_header=h, batch_items=[b1, b2]).write(s)
print(s.buffer.hex())
`;

const PYKMIP_DECODE_RESPONSE = `
import sys, json
from kmip.core import utils
from kmip.core.messages import messages
r = messages.ResponseMessage()
r.read(utils.BytearrayStream(bytes.fromhex(sys.argv[1])))
h = r.response_header
items = []
for it in r.batch_items:
    items.append({
        'operation': it.operation.value.name if it.operation else None,
        'id': it.unique_batch_item_id.value.hex() if it.unique_batch_item_id else None,
        'status': it.result_status.value.name,
        'reason': it.result_reason.value.name if it.result_reason else None,
        'message': it.result_message.value if it.result_message else None,
        'versions': [[p.major, p.minor] for p in it.response_payload.protocol_versions] if it.response_payload is not None and hasattr(it.response_payload, 'protocol_versions') else None,
    })
print(json.dumps({'version': [h.protocol_version.major, h.protocol_version.minor], 'time': h.time_stamp.value, 'count': h.batch_count.value, 'items': items}))
`;

function checkPykmipRequest(bytes: Uint8Array): void {
  const m = decodeRequestMessage(bytes);
  assert.deepEqual(m.header, { protocolVersion: v(1, 2), maximumResponseSize: 4096, batchCount: 2 });
  const [get, discover] = m.batchItems;
  assert.equal(m.batchItems.length, 2);
  assert.deepEqual([get?.operation, get?.operationCode, get?.uniqueBatchItemId], ['Get', 0x0a, Uint8Array.of(1, 2)]);
  assert.deepEqual(get?.payload?.value, [{ tag: TAG.UniqueIdentifier, type: 'TextString', value: 'key-1' }]);
  assert.equal(discover?.operation, 'DiscoverVersions');
  assert.deepEqual(discoverVersionsRequest(discover?.payload), [v(2, 0), v(1, 1)]);
}

function request(header: TtlvItem[], items: TtlvItem[]): TtlvStructure {
  return { tag: TAG.RequestMessage, type: 'Structure', value: [{ tag: TAG.RequestHeader, type: 'Structure', value: header }, ...items] };
}
const batchItem = (op: number, payload: TtlvItem[] = []): TtlvItem => ({
  tag: TAG.BatchItem,
  type: 'Structure',
  value: [{ tag: TAG.Operation, type: 'Enumeration', value: op }, { tag: TAG.RequestPayload, type: 'Structure', value: payload }],
});
const count = (n: number): TtlvItem => ({ tag: TAG.BatchCount, type: 'Integer', value: n });
function expectInvalid(s: TtlvStructure, pattern: RegExp): void {
  assert.throws(() => requestFromTtlv(s), (e: unknown) => e instanceof TtlvDecodeError && e.kind === 'InvalidMessage' && pattern.test(e.message));
}

describe('KMIP Request Message decode', () => {
  test('decodes a request PyKMIP encoded (recorded bytes)', () => checkPykmipRequest(hex(PYKMIP_REQUEST)));

  test('an unknown operation code is kept, not refused (it is answered Operation Not Supported)', () => {
    const m = requestFromTtlv(request([encodeProtocolVersion(v(2, 1)), count(1)], [batchItem(0x99)]));
    assert.deepEqual([m.batchItems[0]?.operation, m.batchItems[0]?.operationCode], [undefined, 0x99]);
  });

  test('refuses messages that are not shaped as the spec says', () => {
    const pv = encodeProtocolVersion(v(1, 4));
    expectInvalid(request([pv, count(2)], [batchItem(0x0a)]), /Batch Count 2 but 1/);
    expectInvalid(request([pv, count(0)], []), /at least 1/);
    expectInvalid(request([count(1)], [batchItem(0x0a)]), /Protocol Version is missing/);
    expectInvalid(request([pv, pv, count(1)], [batchItem(0x0a)]), /appears 2 times/);
    expectInvalid(request([pv, { tag: TAG.BatchCount, type: 'Enumeration', value: 1 }], [batchItem(0x0a)]), /Batch Count must be an Integer/);
    expectInvalid(request([pv, count(1)], [{ tag: TAG.BatchItem, type: 'Structure', value: [{ tag: TAG.Operation, type: 'Integer', value: 10 }] }]), /Operation must be an Enumeration/);
    expectInvalid(request([pv, count(1)], [{ tag: TAG.BatchItem, type: 'Structure', value: [] }]), /Operation is missing/);
    expectInvalid(request([pv, count(1)], [batchItem(0x0a), { tag: TAG.UniqueIdentifier, type: 'TextString', value: 'x' }]), /unexpected tag 0x420094/);
    expectInvalid({ tag: TAG.ResponseMessage, type: 'Structure', value: [] }, /expected a Request Message/);
    expectInvalid({ tag: TAG.RequestMessage, type: 'Structure', value: [batchItem(0x0a)] }, /Request Header is missing/);
  });
});

describe('decode refusals as KMIP results', () => {
  test('a framed message that does not decode is answered Invalid Message (0x04)', () => {
    const kinds = new Set<TtlvDecodeError['kind']>();
    for (const bad of ['420078010000000842002002', '42007801000000084200200200000004000000080000000100', '42002002000000040000000800000000']) {
      try {
        decodeRequestMessage(hex(bad));
      } catch (e) {
        if (e instanceof TtlvDecodeError) kinds.add(e.kind);
      }
    }
    assert.deepEqual([...kinds].sort(), ['NotAStructure', 'Truncated']);
    for (const kind of Object.keys(TTLV_DECODE_RESULT_REASON)) assert.equal(RESULT_REASON[TTLV_DECODE_RESULT_REASON[kind as TtlvDecodeError['kind']]], 0x04, kind);
  });
});

describe('KMIP Response Message encode', () => {
  const at = new Date('2026-12-06T21:00:00.900Z');

  test('encodes the header (version, time stamp in whole seconds, batch count) and each batch item', () => {
    const bytes = encodeResponseMessage({
      protocolVersion: v(1, 4),
      timeStamp: at,
      batchItems: [
        { operation: 'Get', uniqueBatchItemId: Uint8Array.of(7), resultStatus: 'Success', payload: [{ tag: TAG.UniqueIdentifier, type: 'TextString', value: 'k' }] },
        { resultStatus: 'OperationFailed', resultReason: 'OperationNotSupported', resultMessage: 'no' },
        { operation: 'Destroy', resultStatus: 'OperationFailed' },
      ],
    });
    const root = decodeTtlv(bytes);
    const [header, ok, unsupported, failed] = root.value;
    assert.equal(root.tag, TAG.ResponseMessage);
    assert.deepEqual(header, {
      tag: TAG.ResponseHeader,
      type: 'Structure',
      value: [encodeProtocolVersion(v(1, 4)), { tag: TAG.TimeStamp, type: 'DateTime', value: BigInt(Math.floor(at.getTime() / 1000)) }, count(3)],
    });
    assert.deepEqual(ok, {
      tag: TAG.BatchItem,
      type: 'Structure',
      value: [
        { tag: TAG.Operation, type: 'Enumeration', value: 0x0a },
        { tag: TAG.UniqueBatchItemId, type: 'ByteString', value: Uint8Array.of(7) },
        { tag: TAG.ResultStatus, type: 'Enumeration', value: 0 },
        { tag: TAG.ResponsePayload, type: 'Structure', value: [{ tag: TAG.UniqueIdentifier, type: 'TextString', value: 'k' }] },
      ],
    });
    assert.deepEqual(unsupported, {
      tag: TAG.BatchItem,
      type: 'Structure',
      value: [
        { tag: TAG.ResultStatus, type: 'Enumeration', value: 1 },
        { tag: TAG.ResultReason, type: 'Enumeration', value: 5 },
        { tag: TAG.ResultMessage, type: 'TextString', value: 'no' },
      ],
    });
    // A failure always carries a Result Reason: General Failure when none was given.
    assert.deepEqual(failed?.type === 'Structure' ? failed.value.map((c) => c.tag === TAG.ResultReason && c.value) : [], [false, false, 0x100]);
  });
});

describe('DiscoverVersions', () => {
  test('answers the client\'s versions that Arca supports, in the client\'s order', () => {
    assert.deepEqual(discoverVersions([v(1, 1), v(3, 0), v(2, 1), v(1, 0), v(1, 5)]), [v(1, 1), v(2, 1), v(1, 0)]);
    assert.deepEqual(discoverVersions([v(9, 9)]), []);
  });

  test('an empty list (or no payload) gets every supported version, newest first', () => {
    assert.deepEqual(discoverVersions([]), [v(2, 1), v(2, 0), v(1, 4), v(1, 3), v(1, 2), v(1, 1), v(1, 0)]);
    assert.deepEqual(discoverVersionsResponse(undefined), SUPPORTED_PROTOCOL_VERSIONS.map(encodeProtocolVersion));
  });

  test('the response payload is Protocol Version structures; anything else in the request is refused', () => {
    const payload: TtlvStructure = { tag: TAG.RequestPayload, type: 'Structure', value: [encodeProtocolVersion(v(1, 2)), encodeProtocolVersion(v(0, 9))] };
    assert.deepEqual(discoverVersionsResponse(payload), [encodeProtocolVersion(v(1, 2))]);
    const bad: TtlvStructure = { tag: TAG.RequestPayload, type: 'Structure', value: [count(1)] };
    assert.throws(() => discoverVersionsRequest(bad), TtlvDecodeError);
  });
});

describe('interoperability with PyKMIP (kmip.core.messages)', () => {
  test('decodes a request PyKMIP encodes now, byte-identical to the recorded one', { skip: PYKMIP_MISSING }, () => {
    const live = python(PYKMIP_ENCODE_REQUEST);
    assert.equal(live, PYKMIP_REQUEST);
    checkPykmipRequest(hex(live));
  });

  test('PyKMIP decodes a response Arca encodes (a DiscoverVersions answer and a failure)', { skip: PYKMIP_MISSING }, () => {
    const req = decodeRequestMessage(hex(PYKMIP_REQUEST));
    const bytes = encodeResponseMessage({
      protocolVersion: v(1, 2),
      timeStamp: new Date(1_700_000_000_000),
      batchItems: [
        { operation: 'Get', uniqueBatchItemId: Uint8Array.of(1, 2), resultStatus: 'OperationFailed', resultReason: 'ItemNotFound', resultMessage: 'no such key' },
        { operation: 'DiscoverVersions', resultStatus: 'Success', payload: discoverVersionsResponse(req.batchItems[1]?.payload) },
      ],
    });
    assert.deepEqual(JSON.parse(python(PYKMIP_DECODE_RESPONSE, toHex(bytes))), {
      version: [1, 2],
      time: 1_700_000_000,
      count: 2,
      items: [
        { operation: 'GET', id: '0102', status: 'OPERATION_FAILED', reason: 'ITEM_NOT_FOUND', message: 'no such key', versions: null },
        { operation: 'DISCOVER_VERSIONS', id: null, status: 'SUCCESS', reason: null, message: null, versions: [[2, 0], [1, 1]] },
      ],
    });
  });

  test('the same response round-trips through encodeTtlv(decodeTtlv(...)) byte for byte', () => {
    const bytes = encodeResponseMessage({ protocolVersion: v(2, 0), timeStamp: new Date(0), batchItems: [{ resultStatus: 'Success' }] });
    assert.equal(toHex(encodeTtlv(decodeTtlv(bytes))), toHex(bytes));
  });
});
