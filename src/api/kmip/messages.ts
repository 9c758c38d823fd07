/**
 * KMIP's message layer over TTLV: typed Request Message decode, Response Message encode, and protocol
 * version negotiation (DiscoverVersions). KMIP 1.0–1.4 and 2.0–2.1 share this shape (1.4 §7, 2.0 §8);
 * payloads stay TTLV Structures here and are decoded by the operation adapters that come next.
 *
 * A Request Message that is not shaped as the spec says (a missing header, a batch count that disagrees
 * with the batch items, a field of the wrong type) is refused with a {@link TtlvDecodeError} of kind
 * `InvalidMessage`; an unknown operation code is not a decode error (the response answers that batch item
 * with Operation Not Supported), so a batch item carries the raw code and the name when it has one.
 */
import { OPERATION, OPERATION_BY_CODE, RESULT_REASON, RESULT_STATUS, TAG, type KmipOperation, type ResultReason, type ResultStatus } from './tags.js';
import { decodeTtlv, encodeTtlv, DEFAULT_TTLV_LIMITS, TtlvDecodeError, type TtlvDecodeErrorKind, type TtlvItem, type TtlvLimits, type TtlvStructure } from './ttlv.js';

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

/** The versions Arca speaks, in its order of preference (newest first), as DiscoverVersions answers. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly ProtocolVersion[] = [
  { major: 2, minor: 1 },
  { major: 2, minor: 0 },
  { major: 1, minor: 4 },
  { major: 1, minor: 3 },
  { major: 1, minor: 2 },
  { major: 1, minor: 1 },
  { major: 1, minor: 0 },
];

export function isSupportedVersion(v: ProtocolVersion, supported: readonly ProtocolVersion[] = SUPPORTED_PROTOCOL_VERSIONS): boolean {
  return supported.some((s) => s.major === v.major && s.minor === v.minor);
}

/**
 * DiscoverVersions' answer (1.4 §4.26): the client's versions that the server supports, in the client's
 * order; when the client lists none, every supported version in the server's order.
 */
export function discoverVersions(client: readonly ProtocolVersion[], supported: readonly ProtocolVersion[] = SUPPORTED_PROTOCOL_VERSIONS): ProtocolVersion[] {
  if (client.length === 0) return supported.map((v) => ({ ...v }));
  return client.filter((v) => isSupportedVersion(v, supported)).map((v) => ({ major: v.major, minor: v.minor }));
}

export interface RequestHeader {
  readonly protocolVersion: ProtocolVersion;
  readonly maximumResponseSize?: number;
  readonly batchCount: number;
  /** The client's Time Stamp, if it sent one (seconds since the epoch). */
  readonly timeStamp?: bigint;
  /** Authentication, if present, undecoded (mutual TLS is the authentication; this is kept for the audit). */
  readonly authentication?: TtlvStructure;
}

export interface RequestBatchItem {
  /** The Operation code as sent. */
  readonly operationCode: number;
  /** Its name, or undefined for an operation this table does not know (answered Operation Not Supported). */
  readonly operation: KmipOperation | undefined;
  readonly uniqueBatchItemId?: Uint8Array;
  /** Request Payload; KMIP allows it to be absent for some operations (e.g. DiscoverVersions with no list). */
  readonly payload: TtlvStructure | undefined;
}

export interface RequestMessage {
  readonly header: RequestHeader;
  readonly batchItems: readonly RequestBatchItem[];
}

function invalid(message: string): TtlvDecodeError {
  return new TtlvDecodeError('InvalidMessage', message, 0);
}

function only(s: TtlvStructure, tag: number, what: string): TtlvItem | undefined {
  const found = s.value.filter((c) => c.tag === tag);
  if (found.length > 1) throw invalid(`${what} appears ${found.length} times`);
  return found[0];
}

function structure(s: TtlvStructure, tag: number, what: string): TtlvStructure | undefined {
  const item = only(s, tag, what);
  if (item === undefined) return undefined;
  if (item.type !== 'Structure') throw invalid(`${what} must be a Structure`);
  return item;
}

function integer(s: TtlvStructure, tag: number, what: string): number | undefined {
  const item = only(s, tag, what);
  if (item === undefined) return undefined;
  if (item.type !== 'Integer') throw invalid(`${what} must be an Integer`);
  return item.value;
}

function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw invalid(`${what} is missing`);
  return v;
}

/** Decodes a Protocol Version structure (major and minor, both non-negative Integers). */
export function decodeProtocolVersion(s: TtlvStructure): ProtocolVersion {
  const major = required(integer(s, TAG.ProtocolVersionMajor, 'Protocol Version Major'), 'Protocol Version Major');
  const minor = required(integer(s, TAG.ProtocolVersionMinor, 'Protocol Version Minor'), 'Protocol Version Minor');
  if (major < 0 || minor < 0) throw invalid('Protocol Version is negative');
  return { major, minor };
}

export function encodeProtocolVersion(v: ProtocolVersion): TtlvStructure {
  return {
    tag: TAG.ProtocolVersion,
    type: 'Structure',
    value: [
      { tag: TAG.ProtocolVersionMajor, type: 'Integer', value: v.major },
      { tag: TAG.ProtocolVersionMinor, type: 'Integer', value: v.minor },
    ],
  };
}

function decodeHeader(s: TtlvStructure): RequestHeader {
  const version = decodeProtocolVersion(required(structure(s, TAG.ProtocolVersion, 'Protocol Version'), 'Protocol Version'));
  const batchCount = required(integer(s, TAG.BatchCount, 'Batch Count'), 'Batch Count');
  if (batchCount < 1) throw invalid('Batch Count must be at least 1');
  const maximumResponseSize = integer(s, TAG.MaximumResponseSize, 'Maximum Response Size');
  if (maximumResponseSize !== undefined && maximumResponseSize < 1) throw invalid('Maximum Response Size must be positive');
  const ts = only(s, TAG.TimeStamp, 'Time Stamp');
  if (ts !== undefined && ts.type !== 'DateTime') throw invalid('Time Stamp must be a Date-Time');
  const authentication = structure(s, TAG.Authentication, 'Authentication');
  return {
    protocolVersion: version,
    batchCount,
    ...(maximumResponseSize !== undefined ? { maximumResponseSize } : {}),
    ...(ts?.type === 'DateTime' ? { timeStamp: ts.value } : {}),
    ...(authentication !== undefined ? { authentication } : {}),
  };
}

function decodeBatchItem(s: TtlvStructure): RequestBatchItem {
  const op = required(only(s, TAG.Operation, 'Operation'), 'Operation');
  if (op.type !== 'Enumeration') throw invalid('Operation must be an Enumeration');
  const id = only(s, TAG.UniqueBatchItemId, 'Unique Batch Item ID');
  if (id !== undefined && id.type !== 'ByteString') throw invalid('Unique Batch Item ID must be a Byte String');
  const payload = structure(s, TAG.RequestPayload, 'Request Payload');
  return {
    operationCode: op.value,
    operation: OPERATION_BY_CODE.get(op.value),
    ...(id?.type === 'ByteString' ? { uniqueBatchItemId: id.value } : {}),
    payload,
  };
}

/** Decodes a Request Message from an already-parsed TTLV structure. Throws {@link TtlvDecodeError}. */
export function requestFromTtlv(root: TtlvStructure): RequestMessage {
  if (root.tag !== TAG.RequestMessage) throw invalid(`expected a Request Message, got tag 0x${root.tag.toString(16)}`);
  const header = decodeHeader(required(structure(root, TAG.RequestHeader, 'Request Header'), 'Request Header'));
  const batchItems: RequestBatchItem[] = [];
  for (const c of root.value) {
    if (c.tag === TAG.RequestHeader) continue;
    if (c.tag !== TAG.BatchItem || c.type !== 'Structure') throw invalid(`unexpected tag 0x${c.tag.toString(16)} in a Request Message`);
    batchItems.push(decodeBatchItem(c));
  }
  if (batchItems.length !== header.batchCount) throw invalid(`Batch Count ${header.batchCount} but ${batchItems.length} batch items`);
  return { header, batchItems };
}

/** Decodes a whole Request Message from its bytes (one framed message). Throws {@link TtlvDecodeError}. */
export function decodeRequestMessage(bytes: Uint8Array, limits: TtlvLimits = DEFAULT_TTLV_LIMITS): RequestMessage {
  return requestFromTtlv(decodeTtlv(bytes, limits));
}

export interface ResponseBatchItem {
  /** Echoed from the request when it was a known operation; omitted otherwise (1.4 §7.2). */
  readonly operation?: KmipOperation;
  readonly uniqueBatchItemId?: Uint8Array;
  readonly resultStatus: ResultStatus;
  /** Required when the status is not Success. */
  readonly resultReason?: ResultReason;
  readonly resultMessage?: string;
  /** The Response Payload's children (the structure's tag is added here). */
  readonly payload?: readonly TtlvItem[];
}

export interface ResponseMessage {
  readonly protocolVersion: ProtocolVersion;
  /** The server's time, passed in (the codec reads no clock). */
  readonly timeStamp: Date;
  readonly batchItems: readonly ResponseBatchItem[];
}

/** The Response Message as a TTLV structure. */
export function responseToTtlv(m: ResponseMessage): TtlvStructure {
  const seconds = BigInt(Math.floor(m.timeStamp.getTime() / 1000));
  const header: TtlvStructure = {
    tag: TAG.ResponseHeader,
    type: 'Structure',
    value: [
      encodeProtocolVersion(m.protocolVersion),
      { tag: TAG.TimeStamp, type: 'DateTime', value: seconds },
      { tag: TAG.BatchCount, type: 'Integer', value: m.batchItems.length },
    ],
  };
  return { tag: TAG.ResponseMessage, type: 'Structure', value: [header, ...m.batchItems.map(batchItemToTtlv)] };
}

function batchItemToTtlv(b: ResponseBatchItem): TtlvStructure {
  const value: TtlvItem[] = [];
  if (b.operation !== undefined) value.push({ tag: TAG.Operation, type: 'Enumeration', value: OPERATION[b.operation] });
  if (b.uniqueBatchItemId !== undefined) value.push({ tag: TAG.UniqueBatchItemId, type: 'ByteString', value: b.uniqueBatchItemId });
  value.push({ tag: TAG.ResultStatus, type: 'Enumeration', value: RESULT_STATUS[b.resultStatus] });
  if (b.resultReason !== undefined) value.push({ tag: TAG.ResultReason, type: 'Enumeration', value: RESULT_REASON[b.resultReason] });
  else if (b.resultStatus === 'OperationFailed') value.push({ tag: TAG.ResultReason, type: 'Enumeration', value: RESULT_REASON.GeneralFailure });
  if (b.resultMessage !== undefined) value.push({ tag: TAG.ResultMessage, type: 'TextString', value: b.resultMessage });
  if (b.payload !== undefined) value.push({ tag: TAG.ResponsePayload, type: 'Structure', value: b.payload });
  return { tag: TAG.BatchItem, type: 'Structure', value };
}

/** Encodes a Response Message to bytes. */
export function encodeResponseMessage(m: ResponseMessage): Uint8Array {
  return encodeTtlv(responseToTtlv(m));
}

/** Reads the Protocol Version list of a DiscoverVersions request payload (absent payload: empty list). */
export function discoverVersionsRequest(payload: TtlvStructure | undefined): ProtocolVersion[] {
  if (payload === undefined) return [];
  return payload.value.map((c) => {
    if (c.tag !== TAG.ProtocolVersion || c.type !== 'Structure') throw invalid('a DiscoverVersions payload holds only Protocol Versions');
    return decodeProtocolVersion(c);
  });
}

/** The DiscoverVersions response payload's children for a request payload. */
export function discoverVersionsResponse(payload: TtlvStructure | undefined, supported: readonly ProtocolVersion[] = SUPPORTED_PROTOCOL_VERSIONS): TtlvItem[] {
  return discoverVersions(discoverVersionsRequest(payload), supported).map(encodeProtocolVersion);
}

/**
 * The KMIP Result Reason that answers each decode refusal when the listener can still answer (a framed
 * message that does not decode). Every KMIP version has Invalid Message and every client reads it, so all
 * kinds map to it today; the `Record` makes a new kind choose its own.
 */
export const TTLV_DECODE_RESULT_REASON: Record<TtlvDecodeErrorKind, ResultReason> = {
  Truncated: 'InvalidMessage',
  TrailingBytes: 'InvalidMessage',
  MessageTooLarge: 'InvalidMessage',
  TooDeep: 'InvalidMessage',
  UnknownType: 'InvalidMessage',
  BadLength: 'InvalidMessage',
  NonZeroPadding: 'InvalidMessage',
  InvalidUtf8: 'InvalidMessage',
  InvalidBoolean: 'InvalidMessage',
  NotAStructure: 'InvalidMessage',
  InvalidMessage: 'InvalidMessage',
};
