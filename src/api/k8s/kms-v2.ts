import { z } from 'zod';
import { readAnyBlobHeader } from '../../crypto/ciphertext-blob.js';
import { randomSecret } from '../../crypto/random.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import { keyMaterialId } from '../../core/key-material-id.js';
import { newRequestId, type Pipeline, type PipelineRequest } from '../../service/pipeline/pipeline.js';
import { annotationProblems, encryptAnnotations } from './annotations.js';
import { GRPC, K8S_ERRORS, type GrpcCode } from './errors.js';

/**
 * The Kubernetes KMS v2 plugin API (proto/k8s-kms-v2/api.proto) as Arca's operations: Encrypt and
 * Decrypt of kube-apiserver's DEKs go through the pipeline as `TrentService.Encrypt`/`Decrypt`, so each
 * call is authenticated as the socket's principal, authorized by policy and audited with the request's
 * `uid`; Status is a probe Encrypt. This module only translates; the listener is src/server/k8s-plugin.ts.
 */

/** `version` of every StatusResponse: the API version kube-apiserver's EncryptionConfiguration names. */
export const KMS_API_VERSION = 'v2';
/** kube-apiserver refuses a key_id over 1 KiB, and an encrypted DEK over 1 KiB. */
export const KEY_ID_MAX_BYTES = 1024;
/** The user agent of the plugin's requests in the audit trail. */
export const PLUGIN_USER_AGENT = 'kube-apiserver (Kubernetes KMS v2 plugin)';
/** The `uid` kept in the audit event (kube-apiserver sends a UUID). */
const UID_MAX = 128;

export interface StatusResponse {
  readonly version: string;
  readonly healthz: string;
  readonly key_id: string;
}

export interface EncryptResponse {
  readonly ciphertext: Buffer;
  readonly key_id: string;
  readonly annotations: Record<string, Buffer>;
}

export interface DecryptResponse {
  readonly plaintext: Buffer;
}

/** A gRPC answer: the message and the secrets in it (the listener zeroes them once sent), or a status. */
export type PluginAnswer<T> = { readonly ok: true; readonly message: T; readonly secrets: readonly SecretBytes[] } | { readonly ok: false; readonly code: GrpcCode; readonly details: string };

const bytes = z.custom<Buffer>((v) => Buffer.isBuffer(v), 'expected bytes');
const annotations = z.record(z.string(), bytes).default({});
const encryptRequest = z.object({ plaintext: bytes, uid: z.string().default('') });
const decryptRequest = z.object({ ciphertext: bytes, uid: z.string().default(''), key_id: z.string().default(''), annotations });
const encryptOutput = z.object({ CiphertextBlob: bytes, KeyId: z.string() });
const decryptOutput = z.object({ Plaintext: z.custom<SecretBytes>((v) => v instanceof SecretBytes, 'expected secret bytes') });

/**
 * The key_id of a ciphertext Arca made: the key ARN and the key material id of the version that
 * encrypted it (`<key ARN>#<key material id>`, as DescribeKey's CurrentKeyMaterialId), so it changes when
 * the key rotates, or when the alias is moved to another key, and kube-apiserver sees its DEKs are stale.
 */
export function keyIdOf(keyArn: string, ciphertext: Buffer): string {
  const header = readAnyBlobHeader(ciphertext);
  if (header === undefined) throw new KmsError('Internal', 'Encrypt answered a ciphertext without an Arca header.');
  return `${keyArn}#${keyMaterialId(header.keyId, header.version)}`;
}

function failure(error: KmsError): { ok: false; code: GrpcCode; details: string } {
  return { ok: false, code: K8S_ERRORS[error.code], details: `${error.code}: ${error.message}` };
}

/** The Kubernetes KMS v2 service of one socket: its key and the socket its principal is configured for. */
export class KmsV2Plugin {
  readonly #pipeline: Pick<Pipeline, 'handle'>;
  readonly #key: string;
  readonly #socket: string;
  /** The key_id of the last successful Encrypt or Status, reported while the service is unhealthy. */
  #lastKeyId: string | undefined;

  /** `key`: the key the DEKs are encrypted under (key id, ARN, alias name or alias ARN). */
  constructor(pipeline: Pick<Pipeline, 'handle'>, opts: { readonly key: string; readonly socket: string }) {
    this.#pipeline = pipeline;
    this.#key = opts.key;
    this.#socket = opts.socket;
  }

  /**
   * Status: an Encrypt of 32 random bytes under the key, as the plugin's principal. `healthz` is `ok`
   * only if it succeeds, so it says `Sealed`, a disabled key, a key pending deletion, a missing key or a
   * refused permission, each with Arca's message; `key_id` is the current key version's.
   */
  async status(): Promise<StatusResponse> {
    const probe = randomSecret(32);
    const answer = await this.#encrypt(probe, { kubernetesCall: 'Status' });
    if (answer.ok) return { version: KMS_API_VERSION, healthz: 'ok', key_id: answer.message.key_id };
    return { version: KMS_API_VERSION, healthz: answer.details, key_id: this.#lastKeyId ?? this.#key };
  }

  /** Encrypt: wraps kube-apiserver's DEK (or DEK seed) under the key. */
  async encrypt(request: unknown): Promise<PluginAnswer<EncryptResponse>> {
    const parsed = encryptRequest.safeParse(request);
    if (!parsed.success) return { ok: false, code: GRPC.INVALID_ARGUMENT, details: 'ValidationFailed: the EncryptRequest is malformed' };
    const plaintext = SecretBytes.copyOf(parsed.data.plaintext);
    parsed.data.plaintext.fill(0);
    return this.#encrypt(plaintext, { kubernetesCall: 'Encrypt', kubernetesUid: parsed.data.uid.slice(0, UID_MAX) });
  }

  /** Decrypt: unwraps a DEK this plugin wrapped, under whichever version of whichever key made it. */
  async decrypt(request: unknown): Promise<PluginAnswer<DecryptResponse>> {
    const parsed = decryptRequest.safeParse(request);
    if (!parsed.success) return { ok: false, code: GRPC.INVALID_ARGUMENT, details: 'ValidationFailed: the DecryptRequest is malformed' };
    const { ciphertext, uid, key_id: keyId } = parsed.data;
    const eventData = { kubernetesCall: 'Decrypt', kubernetesUid: uid.slice(0, UID_MAX), kubernetesKeyId: keyId.slice(0, KEY_ID_MAX_BYTES) };
    const problems = annotationProblems(parsed.data.annotations);
    // A refusal here is still a request of the principal: the pipeline records it (ValidationFailed).
    const input = () => {
      if (problems.length > 0) throw new KmsError('ValidationFailed', `The DecryptRequest's annotations are invalid: ${problems.join('; ')}.`);
      return { CiphertextBlob: ciphertext };
    };
    const result = await this.#pipeline.handle(this.#request('TrentService.Decrypt', (schema) => schema.parse(input()), eventData));
    if (!result.ok) return failure(result.error);
    const { Plaintext } = decryptOutput.parse(result.output);
    return { ok: true, message: { plaintext: Plaintext.expose() }, secrets: [Plaintext] };
  }

  async #encrypt(plaintext: SecretBytes, eventData: Record<string, string>): Promise<PluginAnswer<EncryptResponse>> {
    let result;
    try {
      result = await this.#pipeline.handle(this.#request('TrentService.Encrypt', (schema) => schema.parse({ KeyId: this.#key, Plaintext: plaintext }), eventData));
    } finally {
      plaintext.dispose();
    }
    if (!result.ok) return failure(result.error);
    const output = encryptOutput.parse(result.output);
    const keyId = keyIdOf(output.KeyId, output.CiphertextBlob);
    this.#lastKeyId = keyId;
    return { ok: true, message: { ciphertext: output.CiphertextBlob, key_id: keyId, annotations: encryptAnnotations() }, secrets: [] };
  }

  #request(target: string, parseBody: PipelineRequest['parseBody'], eventData: Record<string, string>): PipelineRequest {
    const operation = target.slice(target.indexOf('.') + 1);
    return {
      target,
      // The socket is the credential (LocalSocketAuthenticator); nothing else of the request authenticates.
      auth: { method: 'POST', path: `/v2.KeyManagementService/${operation}`, query: '', headers: [], body: Buffer.alloc(0), localSocket: this.#socket },
      parseBody,
      // A local socket: no network address, and nothing on the wire to protect.
      sourceIp: 'local',
      userAgent: PLUGIN_USER_AGENT,
      requestId: newRequestId(),
      secureTransport: true,
      eventData,
    };
  }
}
