import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { canonicalRequest, headerMap, SIGV4_ALGORITHM, signingKey, stringToSign } from '../auth/sigv4.js';
import { hmac } from '../crypto/kdf.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import {
  XksProxyError,
  type ExternalKeyStores,
  type XksFailure,
  type XksKeyMetadata,
  type XksProxyTarget,
  type XksCallMetadata,
  type XksProxySealed,
} from '../core/custom-key-stores.js';

/** The client side of custom key stores' `customKeyStores.xks` configuration. */
export interface XksClientOptions {
  /** Per call, connection included (AWS's budget is 250 ms; default 2000 ms for proxies farther away). */
  readonly timeoutMs: number;
  /** Extra CA certificates (PEM) the proxy's TLS certificate may chain to; absent: the system's. */
  readonly ca?: Buffer | undefined;
  /** The region named in the SigV4 scope (the region KMS calls from). */
  readonly region: string;
}

/** The spec's error names a proxy may answer with; anything else is a malformed response. */
const SPEC_ERRORS: ReadonlySet<string> = new Set<XksFailure>([
  'ValidationException', 'InvalidStateException', 'InvalidCiphertextException', 'InvalidKeyUsageException', 'AuthenticationFailedException',
  'AccessDeniedException', 'KeyNotFoundException', 'InvalidUriPathException', 'UnsupportedOperationException', 'DependencyTimeoutException',
  'ThrottlingException', 'InternalException',
]);

function isFailure(name: string): name is XksFailure {
  return SPEC_ERRORS.has(name);
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ERR_TLS/;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** A base64 member of a response, decoded; a missing or malformed one is a malformed response. */
function bytes(o: Record<string, unknown>, name: string, optional = false): Buffer {
  const v = o[name];
  if (v === undefined && optional) return Buffer.alloc(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new XksProxyError('MalformedResponse', `the proxy's ${name} is not base64`);
  return Buffer.from(v, 'base64');
}

/**
 * The XKS proxy API client (spec: xks_proxy_api_spec.md): JSON over HTTP(S), SigV4-signed with service
 * `kms-xks-proxy` and the store's credential, one timeout per call. Every failure is an
 * {@link XksProxyError} naming the spec's error or what went wrong on the way; nothing is retried here
 * (a failed call fails its KMS request: fail closed).
 */
export class XksClient implements ExternalKeyStores {
  constructor(private readonly options: XksClientOptions) {}

  async health(target: XksProxyTarget, meta: XksCallMetadata): Promise<void> {
    const o = await this.#call(target, '/health', { requestMetadata: { kmsRequestId: meta.kmsRequestId, kmsOperation: meta.kmsOperation } });
    if (typeof o['xksProxyFleetSize'] !== 'number' || !Array.isArray(o['ekmFleetDetails'])) throw new XksProxyError('MalformedResponse', 'the health status lacks xksProxyFleetSize or ekmFleetDetails');
  }

  async keyMetadata(target: XksProxyTarget, externalKeyId: string, meta: XksCallMetadata): Promise<XksKeyMetadata> {
    const o = await this.#call(target, `/keys/${encodeURIComponent(externalKeyId)}/metadata`, { requestMetadata: metadataOf(meta) });
    const usage = o['keyUsage'];
    if (typeof o['keySpec'] !== 'string' || typeof o['keyStatus'] !== 'string' || !Array.isArray(usage) || !usage.every((u) => typeof u === 'string')) {
      throw new XksProxyError('MalformedResponse', 'the key metadata lacks keySpec, keyUsage or keyStatus');
    }
    return { keySpec: o['keySpec'], keyStatus: o['keyStatus'], keyUsage: usage.filter((u): u is string => typeof u === 'string') };
  }

  async encrypt(target: XksProxyTarget, externalKeyId: string, plaintext: SecretBytes, aad: Buffer, meta: XksCallMetadata): Promise<XksProxySealed> {
    const o = await this.#call(target, `/keys/${encodeURIComponent(externalKeyId)}/encrypt`, {
      requestMetadata: metadataOf(meta),
      plaintext: b64(plaintext.expose()),
      encryptionAlgorithm: 'AES_GCM',
      ...(aad.length > 0 && { additionalAuthenticatedData: b64(aad) }),
    });
    const sealed = { ciphertext: bytes(o, 'ciphertext'), iv: bytes(o, 'initializationVector'), tag: bytes(o, 'authenticationTag'), metadata: bytes(o, 'ciphertextMetadata', true) };
    if (sealed.iv.length !== 12 || sealed.tag.length !== 16 || sealed.metadata.length > 20) throw new XksProxyError('MalformedResponse', 'the IV, tag or ciphertext metadata has the wrong length');
    return sealed;
  }

  async decrypt(target: XksProxyTarget, externalKeyId: string, sealed: XksProxySealed, aad: Buffer, meta: XksCallMetadata): Promise<SecretBytes> {
    const o = await this.#call(target, `/keys/${encodeURIComponent(externalKeyId)}/decrypt`, {
      requestMetadata: metadataOf(meta),
      ciphertext: b64(sealed.ciphertext),
      initializationVector: b64(sealed.iv),
      authenticationTag: b64(sealed.tag),
      encryptionAlgorithm: 'AES_GCM',
      ...(sealed.metadata.length > 0 && { ciphertextMetadata: b64(sealed.metadata) }),
      ...(aad.length > 0 && { additionalAuthenticatedData: b64(aad) }),
    });
    return SecretBytes.adopt(bytes(o, 'plaintext'));
  }

  async #call(target: XksProxyTarget, path: string, payload: object): Promise<Record<string, unknown>> {
    const url = new URL(`${target.settings.uriPath.replace(/\/$/, '')}${path}`, target.settings.uriEndpoint);
    const body = JSON.stringify(payload);
    const headers = this.#sign(target, url, Buffer.from(body, 'utf8'), new Date());
    const { status, text } = await this.#post(url, headers, body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new XksProxyError('MalformedResponse', `HTTP ${status} without a JSON body`);
    }
    const o = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    if (status === 200) return o;
    const name = o['errorName'];
    throw new XksProxyError(typeof name === 'string' && isFailure(name) ? name : 'MalformedResponse', `HTTP ${status}: ${typeof name === 'string' ? name.slice(0, 64) : 'no errorName'}`);
  }

  /** SigV4 headers (service `kms-xks-proxy`, signed `host;x-amz-date` as the spec's Appendix A). */
  #sign(target: XksProxyTarget, url: URL, body: Buffer, now: Date): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = amzDate.slice(0, 8);
    const service = 'kms-xks-proxy';
    const headers: [string, string][] = [['host', url.host], ['x-amz-date', amzDate], ['content-type', 'application/json']];
    const signedHeaders = ['host', 'x-amz-date'];
    const canonical = canonicalRequest({ method: 'POST', path: url.pathname, query: '', headers, body }, headerMap(headers), signedHeaders);
    const scope = { accessKeyId: target.settings.accessKeyId, date, region: this.options.region, service, signedHeaders, signature: '' };
    const key = signingKey(target.secret, date, this.options.region, service);
    try {
      const signature = hmac('sha256', key.expose(), Buffer.from(stringToSign(amzDate, scope, canonical))).toString('hex');
      return {
        'x-amz-date': amzDate,
        'content-type': 'application/json',
        authorization: `${SIGV4_ALGORITHM} Credential=${target.settings.accessKeyId}/${date}/${this.options.region}/${service}/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
      };
    } finally {
      key.dispose();
    }
  }

  #post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers, ...(url.protocol === 'https:' && this.options.ca !== undefined && { ca: this.options.ca }), timeout: this.options.timeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 64 * 1024) req.destroy(new XksProxyError('MalformedResponse', 'the response is larger than 64 KiB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(e));
      });
      const timer = setTimeout(() => req.destroy(new XksProxyError('TimedOut', `no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(new XksProxyError('TimedOut', `no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof XksProxyError) reject(e);
        else reject(new XksProxyError(TLS_CODES.test(e.code ?? '') ? 'TlsFailed' : 'Unreachable', `${e.code ?? 'error'}: ${e.message}`));
      });
      req.end(body);
    });
  }
}

function metadataOf(m: XksCallMetadata): Record<string, string> {
  return {
    awsPrincipalArn: m.awsPrincipalArn ?? 'AWS Internal',
    kmsOperation: m.kmsOperation,
    kmsRequestId: m.kmsRequestId,
    ...(m.kmsKeyArn !== undefined && { kmsKeyArn: m.kmsKeyArn }),
  };
}
