import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { AuthenticationRequest } from '../../core/authentication.js';
import { KmsError } from '../../core/errors.js';
import type { XksKeyExposure } from '../../core/xks.js';
import type { Pipeline, PipelineRequest } from '../../service/pipeline/pipeline.js';
import type { TransportAdapter, TransportRequest, TransportRequestHead, TransportResponse } from '../transport.js';
import { xksErrorAnswer } from './errors.js';

/**
 * The XKS proxy API transport (the spec; docs/xks-proxy.md): `POST <uriPathPrefix>/kms/xks/v1/health`
 * and `…/keys/<externalKeyId>/{metadata,encrypt,decrypt}`, JSON with base64 bytes, SigV4 with service
 * `kms-xks-proxy`. The key operations go through the pipeline as ArcaService.Xks… (authenticated by the
 * XKS authenticator, authorized, audited); health authenticates alone and reports the seal state.
 */

export const XKS_API_PATH = '/kms/xks/v1';
export const XKS_USER_AGENT = 'AWS KMS (XKS proxy API)';

export interface XksTransportOptions {
  readonly uriPathPrefix: string;
  readonly keys: ReadonlyMap<string, XksKeyExposure>;
  /** Authenticates a health request as the XKS principal (throws the authentication error). */
  authenticate(auth: AuthenticationRequest): Promise<unknown>;
  /** Whether the service can serve keys now (unsealed, storage healthy). */
  ready(): Promise<boolean>;
  readonly vendor: string;
}

const b64 = z.string().max(65536).regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const metadataSchema = z.object({
  awsPrincipalArn: z.string().optional(),
  awsSourceVpc: z.string().optional(),
  awsSourceVpce: z.string().optional(),
  kmsKeyArn: z.string().optional(),
  kmsOperation: z.string().min(1),
  kmsRequestId: z.string().min(1),
  kmsViaService: z.string().optional(),
});
const bodySchema = z.object({
  requestMetadata: metadataSchema,
  plaintext: b64.optional(),
  additionalAuthenticatedData: b64.optional(),
  encryptionAlgorithm: z.string().optional(),
  ciphertextDataIntegrityValueAlgorithm: z.string().optional(),
  ciphertext: b64.optional(),
  ciphertextMetadata: b64.optional(),
  initializationVector: b64.optional(),
  authenticationTag: b64.optional(),
});
type Body = z.infer<typeof bodySchema>;

const TARGETS = { metadata: 'ArcaService.XksGetKeyMetadata', encrypt: 'ArcaService.XksEncrypt', decrypt: 'ArcaService.XksDecrypt' } as const;
const bytes = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64'));

function json(status: number, value: unknown, secrets: readonly { dispose(): void }[] = []): TransportResponse {
  const text = JSON.stringify(value);
  return { status, headers: { 'content-type': 'application/json' }, body: secrets.length > 0 ? Buffer.from(text) : text, secrets };
}

function failure(error: KmsError): TransportResponse {
  const { status, body } = xksErrorAnswer(error);
  return json(status, body);
}

function parseBody(raw: Buffer): Body {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new KmsError('ValidationFailed', 'The request body is not JSON.');
  }
  const parsed = bodySchema.safeParse(value);
  if (!parsed.success) throw new KmsError('ValidationFailed', `Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ').slice(0, 400)}`);
  return parsed.data;
}

/** The typed input of each key operation (the pipeline validates it with the operation's schema). */
function inputOf(operation: keyof typeof TARGETS, xksKeyId: string, exposure: XksKeyExposure | undefined, body: Body): Record<string, unknown> {
  if (exposure === undefined) throw new KmsError('KeyNotFound', `External key ${xksKeyId} is not exposed by this proxy.`);
  const m = body.requestMetadata;
  const base = {
    XksKeyId: xksKeyId,
    KeyId: exposure.key,
    RequestMetadata: { AwsPrincipalArn: m.awsPrincipalArn, AwsSourceVpc: m.awsSourceVpc, AwsSourceVpce: m.awsSourceVpce, KmsKeyArn: m.kmsKeyArn, KmsOperation: m.kmsOperation, KmsRequestId: m.kmsRequestId, KmsViaService: m.kmsViaService },
  };
  if (operation === 'metadata') return base;
  const algorithm = { EncryptionAlgorithm: body.encryptionAlgorithm, AdditionalAuthenticatedData: bytes(body.additionalAuthenticatedData) };
  if (operation === 'encrypt') {
    if (body.plaintext === undefined) throw new KmsError('ValidationFailed', 'plaintext is required.');
    const raw = Buffer.from(body.plaintext, 'base64');
    const plaintext = SecretBytes.copyOf(raw);
    raw.fill(0);
    return { ...base, ...algorithm, Plaintext: plaintext, CiphertextDataIntegrityValueAlgorithm: body.ciphertextDataIntegrityValueAlgorithm };
  }
  return { ...base, ...algorithm, Ciphertext: bytes(body.ciphertext), CiphertextMetadata: bytes(body.ciphertextMetadata), InitializationVector: bytes(body.initializationVector), AuthenticationTag: bytes(body.authenticationTag) };
}

const encryptOutput = z.object({ ciphertext: z.instanceof(Buffer), initializationVector: z.instanceof(Buffer), authenticationTag: z.instanceof(Buffer), ciphertextMetadata: z.instanceof(Buffer), ciphertextDataIntegrityValue: z.instanceof(Buffer).optional() });
const decryptOutput = z.object({ Plaintext: z.custom<SecretBytes>((v) => v instanceof SecretBytes, 'expected secret bytes') });
const metadataOutput = z.object({ Operations: z.array(z.enum(['encrypt', 'decrypt'])), Enabled: z.boolean() });

export class XksTransport implements TransportAdapter {
  readonly #pipeline: Pick<Pipeline, 'handle' | 'refuse'>;
  readonly #opts: XksTransportOptions;

  constructor(pipeline: Pick<Pipeline, 'handle' | 'refuse'>, opts: XksTransportOptions) {
    this.#pipeline = pipeline;
    this.#opts = opts;
  }

  /** Whether the listener should route `path` here: any XKS API path, so a wrong prefix gets the spec's InvalidUriPathException. */
  static serves(path: string): boolean {
    return path.includes(`${XKS_API_PATH}/`);
  }

  async handle(req: TransportRequest): Promise<TransportResponse> {
    const root = `${this.#opts.uriPathPrefix}${XKS_API_PATH}/`;
    const rest = req.path.startsWith(root) ? req.path.slice(root.length) : undefined;
    const key = rest === undefined ? null : /^keys\/([A-Za-z0-9._-]{1,128})\/(metadata|encrypt|decrypt)$/.exec(rest);
    if (rest !== 'health' && key === null) return failure(new KmsError('UnknownOperation', 'The URI path is not an XKS API path of this proxy.'));
    if (req.method !== 'POST') return json(405, { errorName: 'ValidationException', errorMessage: 'XKS API requests are POSTs.' });
    const auth: AuthenticationRequest = { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body, signingService: 'kms-xks-proxy', clientCertificate: req.clientCertificate };
    if (key === null) return this.#health(auth, req.body);
    const [, xksKeyId = '', op = 'metadata'] = key;
    const operation = op === 'encrypt' || op === 'decrypt' ? op : 'metadata';
    const request: PipelineRequest = {
      target: TARGETS[operation],
      auth,
      parseBody: (schema) => schema.parse(inputOf(operation, xksKeyId, this.#opts.keys.get(xksKeyId), parseBody(req.body))),
      sourceIp: req.sourceIp,
      userAgent: XKS_USER_AGENT,
      requestId: req.requestId,
      secureTransport: req.secureTransport,
    };
    const result = await this.#pipeline.handle(request);
    if (!result.ok) return failure(result.error);
    if (operation === 'metadata') {
      const o = metadataOutput.parse(result.output);
      return json(200, { keySpec: 'AES_256', keyUsage: o.Operations.map((x) => x.toUpperCase()), keyStatus: o.Enabled ? 'ENABLED' : 'DISABLED' });
    }
    if (operation === 'encrypt') {
      const o = encryptOutput.parse(result.output);
      const b = (x: Buffer) => x.toString('base64');
      return json(200, { ciphertext: b(o.ciphertext), ciphertextMetadata: b(o.ciphertextMetadata), initializationVector: b(o.initializationVector), authenticationTag: b(o.authenticationTag), ...(o.ciphertextDataIntegrityValue !== undefined && { ciphertextDataIntegrityValue: b(o.ciphertextDataIntegrityValue) }) });
    }
    const { Plaintext } = decryptOutput.parse(result.output);
    return json(200, { plaintext: Plaintext.expose().toString('base64') }, [Plaintext]);
  }

  /** GetHealthStatus: authenticated, not audited (AWS KMS polls it); UNAVAILABLE while sealed or the storage fails. */
  async #health(auth: AuthenticationRequest, raw: Buffer): Promise<TransportResponse> {
    try {
      await this.#opts.authenticate(auth);
      parseBody(raw);
    } catch (e) {
      return failure(e instanceof KmsError ? e : new KmsError('Internal', 'health check failed'));
    }
    const status = (await this.#opts.ready()) ? 'ACTIVE' : 'UNAVAILABLE';
    return json(200, { xksProxyFleetSize: 1, xksProxyVendor: 'Arca', xksProxyModel: this.#opts.vendor, ekmVendor: 'Arca', ekmFleetDetails: [{ id: 'arca', model: this.#opts.vendor, healthStatus: status }] });
  }

  async refuse(head: TransportRequestHead, error: KmsError): Promise<TransportResponse> {
    return failure(await this.#pipeline.refuse({ target: 'ArcaService.XksEncrypt', sourceIp: head.sourceIp, userAgent: XKS_USER_AGENT, requestId: head.requestId }, error));
  }

  async unknownEndpoint(): Promise<TransportResponse> {
    return failure(new KmsError('UnknownOperation', 'The URI path is not an XKS API path of this proxy.'));
  }

  answerError(error: KmsError): TransportResponse {
    return failure(error);
  }
}
