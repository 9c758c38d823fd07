/**
 * The KMIP adapter (docs/kmip.md): one framed Request Message in, one Response Message out. Each batch
 * item is answered by its handler, which runs Arca's operations through the pipeline as the
 * connection's principal (its client certificate, mapped by `identity.certificates`). Nothing here
 * throws: a message that does not decode is answered Invalid Message, a refusal with its Result Reason,
 * an unexpected failure with General Failure (and logged) — the listener only frames bytes.
 */
import type { ClientCertificate } from '../../core/client-certificate.js';
import type { Logger } from '../../core/ports.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { newRequestId, type Pipeline } from '../../service/pipeline/pipeline.js';
import { PipelineRefusal, type KmipCall, type KmipHandler, type KmipOptions } from './context.js';
import { KMIP_REASONS, KmipError, kmipMessage } from './errors.js';
import { decodeProtocolVersion, discoverVersionsResponse, encodeResponseMessage, isSupportedVersion, requestFromTtlv, TTLV_DECODE_RESULT_REASON, type ProtocolVersion, type RequestBatchItem, type ResponseBatchItem } from './messages.js';
import { addAttribute, deleteAttribute, getAttributeList, getAttributes, modifyAttribute, setAttribute } from './ops-attributes.js';
import { decrypt, encrypt, mac, macVerify, sign, signatureVerify } from './ops-crypto.js';
import { activate, create, destroy, get, locate, reKey, register, revoke } from './ops-keys.js';
import { Fields, enumeration, text } from './payload.js';
import { OBJECT_TYPE, OPERATION, QUERY_FUNCTION, TAG, type KmipOperation } from './tags.js';
import { decodeTtlv, TtlvDecodeError, type TtlvItem, type TtlvLimits } from './ttlv.js';

/** The Vendor Identification Query answers. */
export const VENDOR_IDENTIFICATION = 'Arca';

/** Batch Error Continuation Option (1.4 §9.1.3.2.30): Continue = 1, Stop = 2, Undo = 3. */
const CONTINUE = 1;

/** The connection a message arrived on. */
export interface KmipPeer {
  readonly sourceIp: string;
  readonly clientCertificate: ClientCertificate | undefined;
}

/**
 * Query and DiscoverVersions touch no key, yet are requests like any other: the caller is authenticated
 * and the request recorded, through GetCallerIdentity (which needs no permission, as in AWS STS).
 */
const authenticated = (call: KmipCall): Promise<unknown> => call.run('AWSSecurityTokenServiceV20110615.GetCallerIdentity', {});

const query: KmipHandler = async (payload, call) => {
  await authenticated(call);
  const functions = new Set(payload.all(TAG.QueryFunction).map((i) => (i.type === 'Enumeration' ? i.value : 0)));
  const out: TtlvItem[] = [];
  // SetAttribute is KMIP 2.0's: a 1.x client is not offered it.
  const ops = (Object.keys(HANDLERS) as KmipOperation[]).filter((op) => op !== 'SetAttribute' || call.version.major >= 2);
  if (functions.has(QUERY_FUNCTION.QueryOperations)) for (const op of ops) out.push(enumeration(TAG.Operation, OPERATION[op]));
  if (functions.has(QUERY_FUNCTION.QueryObjects)) out.push(enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), enumeration(TAG.ObjectType, OBJECT_TYPE.PrivateKey));
  if (functions.has(QUERY_FUNCTION.QueryServerInformation)) out.push(text(TAG.VendorIdentification, VENDOR_IDENTIFICATION));
  return out;
};

/** The operations Arca answers (Query's list): the Baseline and Symmetric Key Lifecycle profiles' and the cryptographic ones. */
export const HANDLERS: Partial<Record<KmipOperation, KmipHandler>> = {
  Create: create,
  Register: register,
  ReKey: reKey,
  Locate: locate,
  Get: get,
  GetAttributes: getAttributes,
  GetAttributeList: getAttributeList,
  AddAttribute: addAttribute,
  ModifyAttribute: modifyAttribute,
  DeleteAttribute: deleteAttribute,
  SetAttribute: setAttribute,
  Activate: activate,
  Revoke: revoke,
  Destroy: destroy,
  Query: query,
  DiscoverVersions: async (payload, call) => {
    await authenticated(call);
    return discoverVersionsResponse(payload.items.length === 0 ? undefined : { tag: TAG.RequestPayload, type: 'Structure', value: payload.items });
  },
  Encrypt: encrypt,
  Decrypt: decrypt,
  Sign: sign,
  SignatureVerify: signatureVerify,
  Mac: mac,
  MacVerify: macVerify,
};

export interface KmipSessionDeps {
  readonly pipeline: Pick<Pipeline, 'handle'>;
  readonly options: KmipOptions;
  readonly clock: { now(): Date };
  readonly logger: Logger;
  readonly limits?: TtlvLimits | undefined;
}

/** Answers whole KMIP messages for the listener. */
export class KmipSession {
  readonly #deps: KmipSessionDeps;

  constructor(deps: KmipSessionDeps) {
    this.#deps = deps;
  }

  /**
   * The Response Message for one framed request. The frame is zeroed once decoded (it may hold key
   * material: Register, Encrypt); the answer may hold some too (Get, Decrypt): the caller zeroes it once written.
   */
  async answer(frame: Uint8Array, peer: KmipPeer): Promise<Uint8Array> {
    let root;
    try {
      root = decodeTtlv(frame, this.#deps.limits);
    } catch (e) {
      return this.#refusal({ major: 1, minor: 0 }, e);
    } finally {
      frame.fill(0); // decoded values are copies
    }
    let request;
    try {
      request = requestFromTtlv(root);
    } catch (e) {
      return this.#refusal(versionOf(root) ?? { major: 1, minor: 0 }, e);
    }
    const version = request.header.protocolVersion;
    if (!isSupportedVersion(version)) return this.#encode(version, request.batchItems.map((b) => failure(b, 'InvalidMessage', `protocol version ${version.major}.${version.minor} is not supported; DiscoverVersions lists the versions Arca speaks`)));
    const secrets: SecretBytes[] = [];
    try {
      const call = this.#call(version, peer, secrets);
      const continueOnError = requestContinuation(root) === CONTINUE;
      const items: ResponseBatchItem[] = [];
      for (const item of request.batchItems) {
        const answer = await this.#item(item, call);
        items.push(answer);
        if (answer.resultStatus !== 'Success' && !continueOnError) break;
      }
      const bytes = this.#encode(version, items);
      const max = request.header.maximumResponseSize;
      if (max !== undefined && bytes.length > max) {
        bytes.fill(0);
        return this.#encode(version, request.batchItems.map((b) => failure(b, 'ResponseTooLarge', `the response is ${bytes.length} bytes, over the Maximum Response Size ${max}`)));
      }
      return bytes;
    } finally {
      for (const s of secrets) s.dispose();
    }
  }

  async #item(item: RequestBatchItem, call: KmipCall & { operation: string }): Promise<ResponseBatchItem> {
    const handler = item.operation === undefined ? undefined : HANDLERS[item.operation];
    if (handler === undefined || item.operation === undefined) return failure(item, 'OperationNotSupported', `operation 0x${item.operationCode.toString(16)} is not supported by Arca`);
    call.operation = item.operation;
    try {
      const payload = await handler(new Fields(item.payload), call);
      return { operation: item.operation, ...batchId(item), resultStatus: 'Success', payload };
    } catch (e) {
      if (e instanceof KmipError) return failure(item, e.reason, e.message);
      if (e instanceof PipelineRefusal) return failure(item, KMIP_REASONS[e.error.code], kmipMessage(e.error));
      this.#deps.logger.error('KMIP operation failed', { operation: item.operation, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return failure(item, 'GeneralFailure', 'Internal: an internal error occurred');
    }
  }

  #call(version: ProtocolVersion, peer: KmipPeer, secrets: SecretBytes[]): KmipCall & { operation: string } {
    const { pipeline, options, clock } = this.#deps;
    const userAgent = `KMIP ${version.major}.${version.minor} client`;
    const call: KmipCall & { operation: string } = {
      version,
      options,
      placeholder: undefined,
      operation: '',
      now: () => clock.now(),
      keep: (secret) => void secrets.push(secret),
      async run(target, input) {
        const result = await pipeline.handle({
          target,
          // The client certificate is the credential (identity.certificates maps it to a principal).
          auth: { method: 'POST', path: '/kmip', query: '', headers: [], body: Buffer.alloc(0), clientCertificate: peer.clientCertificate },
          parseBody: (schema) => schema.parse(input),
          sourceIp: peer.sourceIp,
          userAgent,
          requestId: newRequestId(),
          secureTransport: true,
          eventData: { kmipOperation: call.operation, kmipProtocolVersion: `${version.major}.${version.minor}` },
        });
        if (!result.ok) throw new PipelineRefusal(result.error);
        return (result.output ?? {}) as Record<string, unknown>;
      },
    };
    return call;
  }

  #refusal(version: ProtocolVersion, e: unknown): Uint8Array {
    const reason = e instanceof TtlvDecodeError ? TTLV_DECODE_RESULT_REASON[e.kind] : 'InvalidMessage';
    const message = e instanceof Error ? e.message : 'the message does not decode';
    return this.#encode(version, [{ resultStatus: 'OperationFailed', resultReason: reason, resultMessage: `the request is not a valid KMIP message: ${message}` }]);
  }

  #encode(version: ProtocolVersion, batchItems: readonly ResponseBatchItem[]): Uint8Array {
    return encodeResponseMessage({ protocolVersion: version, timeStamp: this.#deps.clock.now(), batchItems });
  }
}

function batchId(item: RequestBatchItem): { uniqueBatchItemId?: Uint8Array } {
  return item.uniqueBatchItemId === undefined ? {} : { uniqueBatchItemId: item.uniqueBatchItemId };
}

function failure(item: RequestBatchItem, reason: ResponseBatchItem['resultReason'], message: string): ResponseBatchItem {
  return { ...(item.operation !== undefined && { operation: item.operation }), ...batchId(item), resultStatus: 'OperationFailed', resultReason: reason ?? 'GeneralFailure', resultMessage: message };
}

/** The Protocol Version of a request that does not fully decode, to answer in it. */
function versionOf(root: TtlvItem): ProtocolVersion | undefined {
  try {
    const header = root.type === 'Structure' ? new Fields(root).structure(TAG.RequestHeader) : undefined;
    const v = header?.raw(TAG.ProtocolVersion);
    return v?.type === 'Structure' && isSupportedVersion(decodeProtocolVersion(v)) ? decodeProtocolVersion(v) : undefined;
  } catch {
    return undefined;
  }
}

/** The header's Batch Error Continuation Option (default Stop). */
function requestContinuation(root: TtlvItem): number | undefined {
  if (root.type !== 'Structure') return undefined;
  return new Fields(root).structure(TAG.RequestHeader)?.enumeration(TAG.BatchErrorContinuationOption);
}
